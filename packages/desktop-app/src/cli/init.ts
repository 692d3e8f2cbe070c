/**
 * `synod init`: create a new log in a data directory, with this peer as its only member. With a
 * peer already running on the directory (waiting in setup), it asks that peer through the API;
 * otherwise it creates the log offline and `synod start` runs it.
 */
import { checkName, PeerDirectory } from '@synod/peer';
import { parseRequest } from '../operations/validate.js';
import type { OperationRequest as Req } from '../operations/table.js';
import { PeerService } from '../service/peer-service.js';
import { CliError, errorLine } from './cli-error.js';
import { connect, dataDirOf, isRunning } from './connect.js';

function out(text: string): void {
  process.stdout.write(text + '\n');
}

export async function init(o: {
  data?: string;
  json?: boolean;
  name?: string;
  title?: string;
  logName?: string;
}): Promise<void> {
  const dataDir = dataDirOf(o.data);
  // Checked before anything touches the directory: a title too long must not leave a log made.
  let request: Req<'createLog'>;
  try {
    request = parseRequest('createLog', {
      ...(o.title !== undefined ? { title: o.title } : {}),
      ...(o.logName !== undefined ? { logName: o.logName } : {}),
    });
    if (o.name !== undefined) checkName(o.name);
  } catch (err) {
    throw new CliError(errorLine(err, dataDir), 2);
  }
  if (await isRunning(dataDir)) {
    const s = await connect(dataDir).createLog(request);
    out(`created log ${s.logId} (peer ${s.id}, ${s.name}); it is running now`);
    return;
  }
  const directory = PeerDirectory.open({ dataDir });
  const refused = (err: unknown): never => {
    throw new CliError(errorLine(err, dataDir));
  };
  // One after the other: each opens peer.db, which one opener at a time may hold.
  const found = await directory.state().catch(refused);
  const held = await directory.firstLog().catch(refused);
  // Beside a log, a new one needs a name here (--log-name).
  if (held !== undefined && found.joining === undefined && o.logName === undefined) {
    throw new CliError(`${dataDir} already holds log ${held}`);
  }
  if (found.joining !== undefined && o.logName === undefined) {
    throw new CliError(`${dataDir} is joining a log (start it: synod start --data ${dataDir})`);
  }
  // A peer that listens nowhere, just long enough to create the log and record its first
  // operations; `synod start` runs it.
  const service = await PeerService.open({
    dataDir,
    listen: [],
    mdns: false,
    ...(o.name !== undefined ? { name: o.name } : {}),
  });
  try {
    const s = await service.createLog(request);
    if (o.json === true) out(JSON.stringify(s));
    else {
      out(`created log ${s.logId} in ${dataDir}`);
      out(`peer ${s.id} (${s.name})`);
      out(`run it with: synod start --data ${dataDir}`);
    }
  } finally {
    await service.stop();
  }
}
