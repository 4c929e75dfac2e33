/** Default reason phrases (RFC 3261 21 and the RFCs cited). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: "Trying", // RFC 3261 21.1.1
  180: "Ringing", // RFC 3261 21.1.2
  181: "Call Is Being Forwarded", // RFC 3261 21.1.3
  182: "Queued", // RFC 3261 21.1.4
  183: "Session Progress", // RFC 3261 21.1.5
  199: "Early Dialog Terminated", // RFC 6228
  200: "OK", // RFC 3261 21.2.1
  202: "Accepted", // RFC 3265 (deprecated by RFC 6665, still seen)
  204: "No Notification", // RFC 5839
  300: "Multiple Choices", // RFC 3261 21.3.1
  301: "Moved Permanently", // RFC 3261 21.3.2
  302: "Moved Temporarily", // RFC 3261 21.3.3
  305: "Use Proxy", // RFC 3261 21.3.4
  380: "Alternative Service", // RFC 3261 21.3.5
  400: "Bad Request", // RFC 3261 21.4.1
  401: "Unauthorized", // RFC 3261 21.4.2
  402: "Payment Required", // RFC 3261 21.4.3
  403: "Forbidden", // RFC 3261 21.4.4
  404: "Not Found", // RFC 3261 21.4.5
  405: "Method Not Allowed", // RFC 3261 21.4.6
  406: "Not Acceptable", // RFC 3261 21.4.7
  407: "Proxy Authentication Required", // RFC 3261 21.4.8
  408: "Request Timeout", // RFC 3261 21.4.9
  410: "Gone", // RFC 3261 21.4.10
  413: "Request Entity Too Large", // RFC 3261 21.4.11
  414: "Request-URI Too Long", // RFC 3261 21.4.12
  415: "Unsupported Media Type", // RFC 3261 21.4.13
  416: "Unsupported URI Scheme", // RFC 3261 21.4.14
  420: "Bad Extension", // RFC 3261 21.4.15
  421: "Extension Required", // RFC 3261 21.4.16
  422: "Session Interval Too Small", // RFC 4028 6
  423: "Interval Too Brief", // RFC 3261 21.4.17
  430: "Flow Failed", // RFC 5626 11.5
  439: "First Hop Lacks Outbound Support", // RFC 5626 11.6
  480: "Temporarily Unavailable", // RFC 3261 21.4.18
  481: "Call/Transaction Does Not Exist", // RFC 3261 21.4.19
  482: "Loop Detected", // RFC 3261 21.4.20
  483: "Too Many Hops", // RFC 3261 21.4.21
  484: "Address Incomplete", // RFC 3261 21.4.22
  485: "Ambiguous", // RFC 3261 21.4.23
  486: "Busy Here", // RFC 3261 21.4.24
  487: "Request Terminated", // RFC 3261 21.4.25
  488: "Not Acceptable Here", // RFC 3261 21.4.26
  489: "Bad Event", // RFC 6665
  491: "Request Pending", // RFC 3261 21.4.27
  493: "Undecipherable", // RFC 3261 21.4.28
  500: "Server Internal Error", // RFC 3261 21.5.1
  501: "Not Implemented", // RFC 3261 21.5.2
  502: "Bad Gateway", // RFC 3261 21.5.3
  503: "Service Unavailable", // RFC 3261 21.5.4
  504: "Server Time-out", // RFC 3261 21.5.5
  505: "Version Not Supported", // RFC 3261 21.5.6
  513: "Message Too Large", // RFC 3261 21.5.7
  600: "Busy Everywhere", // RFC 3261 21.6.1
  603: "Decline", // RFC 3261 21.6.2
  604: "Does Not Exist Anywhere", // RFC 3261 21.6.3
  606: "Not Acceptable", // RFC 3261 21.6.4
};
