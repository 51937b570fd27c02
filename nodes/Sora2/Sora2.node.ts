import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionProperties } from './actions/versionDescription';

export class Sora2 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora2',
		name: 'sora2',
		icon: { light: 'file:../../icons/sora2.svg', dark: 'file:../../icons/sora2.dark.svg' },
		group: ['transform'],
		version: [1],
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Create videos from a text prompt with Sora 2 or Sora 2 Pro, read video tasks, and chat with the Sora2 API',
		defaults: { name: 'Sora2' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'sora2Api', required: true }],
		properties: versionProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
