import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, usesErrorOutput } from '../helpers/batch';
import { settle } from '../helpers/settle';
import type { BatchExecute, Sora2Operations, Sora2Resource } from './node.type';
import * as chat from './chat';
import * as video from './video';

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
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of resource "${resource}" is not supported`, {
			description: 'Pick an operation from the list in the node.',
		});
	}
	const outcome = await settle(execute.call(this, items));
	if (outcome.ok) return [outcome.value];
	// Under Continue On Fail, runBatch turns each item's failure into that item's error item, so what
	// still escapes failed before any item ran (the credential, the run-wide Options): it is every
	// item's error, and each item gets it in its place rather than the whole run being lost.
	if (!this.continueOnFail()) throw outcome.error;
	const errorOutput = usesErrorOutput(this);
	return [items.map((_, itemIndex) => errorItem(outcome.error, itemIndex, errorOutput))];
}
