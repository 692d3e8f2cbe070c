/**
 * `synod init`: create a new log in a data directory, with this peer as its only member. With a
 * peer already running on the directory (waiting in setup), it asks that peer through the API;
 * otherwise it creates the log offline and `synod start` runs it.
 */
import { inspectDataDir } from '@synod/peer';
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
}): Promise<void> {
  const dataDir = dataDirOf(o.data);
  if (await isRunning(dataDir)) {
    const s = await connect(dataDir).createLog(o.title !== undefined ? { title: o.title } : {});
    out(`created log ${s.logId} (peer ${s.id}, ${s.name}); it is running now`);
    return;
  }
  const found = await inspectDataDir(dataDir).catch((err: unknown) => {
    throw new CliError(errorLine(err, dataDir));
  });
  if (found.member !== undefined) {
    throw new CliError(`${dataDir} already holds log ${found.member}`);
  }
  if (found.joining !== undefined) {
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
    const s = await service.createLog(o.title !== undefined ? { title: o.title } : {});
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
