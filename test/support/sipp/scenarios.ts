import { fixture } from '../paths.js';

/** The rig's SIPp scenarios (`uac-pcmu`, ...) and test peers (`peers/uas-media`, ...) by name. */
export function sippScenario(name: string): string {
  return fixture(`sipp/${name}.xml`);
}
