import type { IExecuteFunctions } from 'n8n-workflow';

import { createSora2Client } from '../transport';
import type { Sora2Client } from '../transport';
import { readClientSettings } from './params';
import { TaskLedger } from './taskLedger';
import { TaskReader } from './taskReader';

/** What every item of one node run shares: the n8n context, the API client, task reading, the ledger of created tasks. */
export interface Run {
	fn: IExecuteFunctions;
	client: Sora2Client;
	reader: TaskReader;
	ledger: TaskLedger;
}

/** Opens a run: reads the run-wide Options and the credential (nothing is sent yet). */
export async function openRun(fn: IExecuteFunctions, timeoutSeconds?: number): Promise<Run> {
	const client = await createSora2Client(fn, readClientSettings(fn, timeoutSeconds));
	return { fn, client, reader: new TaskReader(client), ledger: new TaskLedger(fn) };
}
