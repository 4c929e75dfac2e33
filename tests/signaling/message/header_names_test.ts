import { assertEquals } from "../../_assert.ts";
import { COMPACT_FORMS, headerKey, isListHeader } from "../../../mod/signaling/message/mod.ts";

Deno.test("headerKey() maps compact forms and case to the long lower-case name", () => {
  assertEquals(headerKey("v"), "via");
  assertEquals(headerKey("MaX-fOrWaRdS"), "max-forwards");
  assertEquals(headerKey("L"), "content-length");
  assertEquals(headerKey("X-Custom"), "x-custom");
  assertEquals(Object.keys(COMPACT_FORMS).length, 19);
});

Deno.test("isListHeader() is true for list headers only", () => {
  for (const n of ["Via", "m", "Route", "Record-Route", "Path", "Supported", "Require", "Allow"]) {
    assertEquals(isListHeader(n), true, n);
  }
  for (const n of ["WWW-Authenticate", "Authorization", "Proxy-Authorization", "Date", "From"]) {
    assertEquals(isListHeader(n), false, n);
  }
});
