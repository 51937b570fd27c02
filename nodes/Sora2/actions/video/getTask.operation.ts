import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions, waitFields, waitOffByDefault } from '../../descriptions/waitFields';
import { runBatch } from '../../helpers/batch';
import { inputError, readClientSettings, readWaitSettings } from '../../helpers/params';
import type { WaitSettings } from '../../helpers/params';
import { TaskReader, finishedItem, newAttempts, videoJson, waitUntilFinal } from '../../helpers/videoTask';
import { createSora2Client } from '../../transport';
import type { CallSite } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. sora-2:task_01k6x15vhrff09dkkqjrzwhm60',
		description: 'The full ID that Video → Create answered (the "taskId" field of its output)',
	},
	...waitFields(waitOffByDefault),
	requestOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['video'], operation: ['getTask'] } }, properties);

interface GetTaskInput {
	taskId: string;
	wait: WaitSettings;
}

function readInput(fn: IExecuteFunctions, itemIndex: number): GetTaskInput {
	const raw = fn.getNodeParameter('taskId', itemIndex, '') as unknown;
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		throw inputError(fn, itemIndex, `Task ID must be text, but the expression gave ${raw === null ? 'null' : typeof raw}`, 'Map the "taskId" field of the Create output into Task ID.');
	}
	const taskId = String(raw).trim();
	if (taskId === '') {
		throw inputError(fn, itemIndex, 'Task ID is empty', 'Map the "taskId" field of the Video → Create output (e.g. {{ $json.taskId }}) into Task ID.');
	}
	return { taskId, wait: readWaitSettings(fn, itemIndex, false) };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const client = await createSora2Client(this, readClientSettings(this));
	const reader = new TaskReader(client);
	return await runBatch(this, items, {
		prepare: (itemIndex) => readInput(this, itemIndex),
		run: async ({ taskId, wait }, itemIndex) => {
			const site: CallSite = { itemIndex, operation: 'Video → Get Task' };
			const attempts = newAttempts();
			if (!wait.wait) return { json: videoJson(await reader.read(taskId, site, attempts), attempts) };
			const final = await waitUntilFinal(this, reader, client, taskId, Date.now(), wait, site, attempts, true);
			return await finishedItem(this, client, final, wait, site, attempts);
		},
		stopAll: (reason) => client.stop(reason),
	});
}
