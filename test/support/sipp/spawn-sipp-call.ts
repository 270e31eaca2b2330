import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { freeUdpPort, freeUdpPortRange } from './free-port.js';
import { sippScenario } from './scenarios.js';

/**
 * One SIPp uac-pcmu call to 127.0.0.1:`sipPort` streaming `pcap` (PCMU) and holding `holdMs` in
 * all, left running: for tests that must SIGKILL SIPp mid-call (runSipp waits for its end).
 */
export async function spawnSippCall(options: {
  readonly sipPort: number;
  readonly pcap: string;
  readonly holdMs: number;
  readonly cwd: string;
}): Promise<ChildProcess> {
  const localPort = await freeUdpPort();
  const mediaPort = await freeUdpPortRange();
  return spawn(
    'sipp',
    [
      `127.0.0.1:${options.sipPort}`,
      '-sf',
      sippScenario('uac-pcmu'),
      '-i',
      '127.0.0.1',
      '-p',
      String(localPort),
      '-mi',
      '127.0.0.1',
      '-mp',
      String(mediaPort),
      '-m',
      '1',
      '-nostdin',
      '-key',
      'codec',
      'PCMU',
      '-key',
      'pt',
      '0',
      '-key',
      'pcap',
      options.pcap,
      '-set',
      'hold_ms',
      String(Math.round(options.holdMs)),
    ],
    { cwd: options.cwd, stdio: 'ignore' },
  );
}
