import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { router } from './actions/router';
import { versionProperties } from './actions/versionDescription';
import { MODEL_LIST_METHOD } from './config/models';
import { searchModels } from './video/modelList';

export class Sora2 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sora2',
		name: 'sora2',
		icon: { light: 'file:../../icons/sora2.svg', dark: 'file:../../icons/sora2.dark.svg' },
		group: ['transform'],
		// 2: Model is a resource locator (the gateway's list, or any id); 1 (saved workflows) keeps its list of two.
		// New nodes get the last version listed. No `defaultVersion`: with one, n8n (2.41, 1.123) no longer adds
		// "Custom API Call" to the Resource and Operation lists of a node whose `version` is a list.
		version: [1, 2],
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Create videos from a prompt and images with Sora 2, Sora 2 Pro or any video model your gateway sells, read video tasks, and chat with the Sora2 API',
		defaults: { name: 'Sora2' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'sora2Api', required: true }],
		properties: versionProperties,
	};

	methods = { listSearch: { [MODEL_LIST_METHOD]: searchModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
