import { runSipp, startSippUas } from "./_sipp.ts";
import { startKamailio } from "./_kamailio.ts";
const t0 = performance.now();
{
  await using uas = await startSippUas({ scenario: "uas_message", calls: 3 });
  const uac = await runSipp({ scenario: "uac_message", remote: { host: "127.0.0.1", port: uas.port }, calls: 3, service: "bob", keys: { body: "hi" } });
  console.log("uac", uac.code, uac.successful, uac.failed, uac.errors);
  const r = await uas.result;
  console.log("uas", r.code, r.successful, r.failed, r.errors, performance.now() - t0);
}
{
  await using uas = await startSippUas({ scenario: "uas_answer", calls: 1 });
  const uac = await runSipp({ scenario: "uac_invite", remote: { host: "127.0.0.1", port: uas.port }, service: "bob", pauseMs: 100 });
  console.log("uac", uac.code, uac.successful, uac.failed, uac.errors);
  const r = await uas.result;
  console.log("uas", r.code, r.successful, r.failed, r.errors, performance.now() - t0);
}
{
  await using k = await startKamailio({});
  const reg = await runSipp({ scenario: "uac_register", remote: { host: "127.0.0.1", port: k.udpPort }, domain: k.domain, fromUser: "bob", keys: { expires: "60" }, auth: { user: "bob", password: k.password }, localPort: 0 });
  console.log("reg", reg.code, reg.successful, reg.errors);
}
