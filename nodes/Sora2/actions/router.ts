import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Sora2Operations, Sora2Resource } from '../config/labels';
import { configError } from '../transport';
import * as chat from './chat';
import * as video from './video';

/** Every operation takes the whole batch of items at once (waiting for many videos needs that). */
export type BatchExecute = (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;

const OPERATIONS: { [R in Sora2Resource]: Record<Sora2Operations[R], BatchExecute> } = {
	chat: { completion: chat.completion.execute },
	video: { create: video.create.execute, getTask: video.getTask.execute },
};

function isResource(value: string): value is Sora2Resource {
	return Object.prototype.hasOwnProperty.call(OPERATIONS, value);
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const operations: Record<string, BatchExecute> | undefined = isResource(resource) ? OPERATIONS[resource] : undefined;
	const execute = operations?.[operation];
	if (!execute) {
		throw configError(this.getNode(), `The operation "${operation}" of resource "${resource}" is not supported`, 'Pick an operation from the list in the node.');
	}
	return [await execute.call(this, items)];
}
