/**
 * One real SIPp SIPREC call per SRC dialect and quirk into `voxbridge serve`: each vendor fixture
 * of test/fixtures/sip/siprec/ is sent as that vendor wrote it (headers, multipart body,
 * metadata), over UDP loopback, through the whole stack (transport, transaction, dialog, SIPREC
 * reader, ingress, session). The unit tests (vendor-fixtures.test.ts) assert every field of the
 * parsed model from the exact bytes; this file asserts what a user sees: the 200's answer SDP
 * and the `leg.added` events (role, label, participant, which rule decided the role). The gateway
 * runs with a configured agent domain and recorded-call header, so every step of the role rule is
 * exercised.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GatewayEvent, GatewayProcess } from '../support/gateway-process.js';
import { rtpRangeForTest, startGatewayProcess } from '../support/gateway-process.js';
import { fixture } from '../support/paths.js';
import { runSipp } from '../support/sipp/index.js';
import { siprecFixtureScenario } from '../support/sipp/siprec-fixture-scenario.js';

interface ExpectedLeg {
  readonly role: string;
  readonly label: string;
  /** The sending participant's AoR, or undefined when no single participant sends the stream. */
  readonly aor?: string;
}

interface Dialect {
  /** test/fixtures/sip/siprec/<fixture>.sip */
  readonly fixture: string;
  readonly what: string;
  /** The answer's m-lines in order: a port (>0 answered, 0 declined) and its direction. */
  readonly answer: readonly (readonly [answered: boolean, direction: string])[];
  readonly legs: readonly ExpectedLeg[];
  /** Headers the SRC is configured to add to the recording INVITE. */
  readonly extraHeaders?: readonly string[];
  /** The rule that decided the roles, as `leg.added.roleSource` names it. */
  readonly roleSource?: string;
}

const DIALECTS: readonly Dialect[] = [
  {
    fixture: 'rfc7865-complete',
    what: 'RFC 7865 metadata; three audio m-lines and a video one, which is declined',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
      [true, 'recvonly'],
      [false, 'inactive'],
    ],
    legs: [
      { role: 'caller', label: '96', aor: 'sip:bob@biloxi.com' },
      { role: 'caller', label: '97', aor: 'sip:bob@biloxi.com' },
      { role: 'agent', label: '98', aor: 'sip:Paul@biloxi.com' },
    ],
    roleSource: 'label-order',
  },
  {
    fixture: 'oracle-acme-extension',
    what: 'Oracle/Acme Packet pre-RFC namespace, apkt:callingParty names the caller',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '553654187', aor: 'sip:5139316000@carrier.example.net' },
      { role: 'agent', label: '553654188', aor: 'sip:7001@cc.example.com' },
    ],
    roleSource: 'vendor-marker',
  },
  {
    fixture: 'broadworks-recording-metadata',
    what: 'BroadWorks draft <recording_metadata>, one mixed stream, no Require: siprec',
    answer: [[true, 'recvonly']],
    legs: [{ role: 'mixed', label: '1' }],
    roleSource: 'vendor-marker',
  },
  {
    fixture: 'webex-calling-separate-streams',
    what: 'Webex Calling draft format, callingPartyNumber as tel: names the caller',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '1', aor: 'tel:+12025550147' },
      { role: 'agent', label: '2', aor: 'sip:+12025550188@webex.example.com;user=phone' },
    ],
    roleSource: 'vendor-marker',
  },
  {
    fixture: 'avaya-sbce-no-stream-id',
    what: 'Avaya SBCE <stream> without stream_id, empty session_id; agent by the configured domain',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '10', aor: 'sip:+13125550142@pstn.example.org' },
      { role: 'agent', label: '20', aor: 'sip:3001@avaya.example.com' },
    ],
    roleSource: 'agent-pattern',
  },
  {
    fixture: 'avaya-ucid',
    what: 'Avaya SBCE RFC 7865 with avaya:ucid, bare-LF body; agent by the configured domain',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '11', aor: 'sip:+13125550199@pstn.example.org' },
      { role: 'agent', label: '12', aor: 'sip:3001@avaya.example.com' },
    ],
    roleSource: 'agent-pattern',
  },
  {
    fixture: 'ribbon-calldata-agent-first',
    what: 'Ribbon callData fromhdr names the caller, who sends label 2 (label order would swap them)',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'agent', label: '1', aor: '8500@192.0.2.55' },
      { role: 'caller', label: '2', aor: '3125550147@198.51.100.20' },
    ],
    roleSource: 'vendor-marker',
  },
  {
    fixture: 'ribbon-no-close-delimiter',
    what: 'Ribbon body whose last part has no close delimiter',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'agent', label: '1', aor: '+15550100300@203.0.113.80' },
      { role: 'caller', label: '2', aor: '+15550100202@203.0.113.9' },
    ],
    roleSource: 'vendor-marker',
  },
  {
    fixture: 'cisco-no-close-delimiter',
    what: 'Cisco body whose last part has no close delimiter',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '1', aor: 'sip:+15550100101@192.0.2.10' },
      { role: 'agent', label: '2', aor: 'sip:2001@192.0.2.10' },
    ],
    roleSource: 'label-order',
  },
  {
    fixture: 'sems-no-close-delimiter',
    what: 'SEMS body whose last part has no close delimiter',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '1', aor: 'sip:alice@example.com' },
      { role: 'agent', label: '2', aor: 'sip:bob@example.com' },
    ],
    roleSource: 'label-order',
  },
  {
    fixture: 'opensips-siprec-no-t',
    what: 'OpenSIPS siprec module: SDP without t=, c= per m-line, PCMA first',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'caller', label: '1', aor: 'sip:+12025550123@carrier.example.net' },
      { role: 'agent', label: '2', aor: 'sip:2117@pbx.example.com' },
    ],
    roleSource: 'label-order',
  },
  {
    fixture: 'sems-no-close-delimiter',
    what: "the SRC passes the recorded call's From in a configured header: it names the label-2 sender the caller",
    extraHeaders: ['X-Recorded-From: "Bob" <sip:bob@example.com:5060>;tag=a94c'],
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'agent', label: '1', aor: 'sip:alice@example.com' },
      { role: 'caller', label: '2', aor: 'sip:bob@example.com' },
    ],
    roleSource: 'recorded-call-parties',
  },
  {
    fixture: 'cisco-cube-no-metadata',
    what: 'Cisco CUBE network-based recording: SDP only, no metadata names anyone',
    answer: [
      [true, 'recvonly'],
      [true, 'recvonly'],
    ],
    legs: [
      { role: 'unknown', label: '1' },
      { role: 'unknown', label: '2' },
    ],
    roleSource: 'none',
  },
  {
    fixture: 'metaswitch-single-mixed',
    what: 'Metaswitch single mixed m-line, G.729 offered first',
    answer: [[true, 'recvonly']],
    legs: [{ role: 'mixed', label: 'mixed-1' }],
  },
];

/** The SDP of the 200 OK in SIPp's message trace. */
function answerSdp(messages: string): string {
  return /SIP\/2\.0 200 OK[\s\S]*?\r?\n\r?\n(v=0[\s\S]*?)(?:\r?\n-{10,}|$)/.exec(messages)?.[1] ?? '';
}

function answerMLines(sdp: string): [boolean, string][] {
  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  return sections.map((section) => {
    const port = Number(/^m=\S+ (\d+)/.exec(section)?.[1]);
    const direction = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv';
    return [port > 0, port > 0 ? direction : 'inactive'];
  });
}

describe('SIPREC dialects over SIPp', () => {
  let gateway: GatewayProcess;
  let work: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-siprec-dialects-'));
    // The configured agent domain is the role rule's third step: it decides the Avaya calls, whose
    // SRC names no caller, and must not override a vendor marker or touch calls without a match.
    gateway = await startGatewayProcess([
      '--rtp-ports',
      rtpRangeForTest(),
      '--stt',
      'none',
      '--siprec-agent-domain',
      'avaya.example.com',
      '--siprec-recorded-from-headers',
      'X-Recorded-From',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  for (const dialect of DIALECTS) {
    it(`${dialect.fixture}: ${dialect.what}`, async () => {
      const { xml } = siprecFixtureScenario(
        fixture(`sip/siprec/${dialect.fixture}.sip`),
        dialect.fixture,
        dialect.extraHeaders,
      );
      const scenario = join(work, `${dialect.fixture}-${DIALECTS.indexOf(dialect)}.xml`);
      writeFileSync(scenario, xml);
      const result = await runSipp({
        scenario,
        target: `127.0.0.1:${gateway.sipPort}`,
        variables: { hold_ms: '300' },
        traceMessages: true,
        timeoutMs: 30_000,
      });
      assert.equal(
        result.exitCode,
        0,
        `SIPp failed:\n${result.errors}\n${(result.messages ?? '').slice(-3000)}`,
      );
      const sdp = answerSdp(result.messages ?? '');
      assert.deepEqual(answerMLines(sdp), dialect.answer, `answer:\n${sdp}`);

      const sipCallId = `1-${result.pid}@127.0.0.1`;
      await gateway.waitFor((e) => e.type === 'call.ended' && e.sipCallId === sipCallId, 15_000);
      const events = gateway.events.filter((e) => e.sipCallId === sipCallId);
      assert.equal(events[0]?.type, 'call.started');
      assert.equal(events[0]?.['kind'], 'siprec');
      const legs = events.filter((e) => e.type === 'leg.added');
      assert.deepEqual(
        legs.map((l: GatewayEvent) => ({
          role: l.role,
          label: l['label'],
          ...((l['participant'] as { aor?: string } | undefined)?.aor === undefined
            ? {}
            : { aor: (l['participant'] as { aor: string }).aor }),
        })),
        dialect.legs,
      );
      if (dialect.roleSource !== undefined) {
        for (const leg of legs) assert.equal(leg['roleSource'], dialect.roleSource);
      }
      const ended = events.find((e) => e.type === 'call.ended');
      assert.equal(ended?.reason, 'remote-bye');
    });
  }
});
