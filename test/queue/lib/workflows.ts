/** The queue suite's own webhook workflows (besides example 02): the video as a file, and collecting tasks by id. */
import { EXAMPLE_CREDENTIAL, SORA2_TYPE, createVideoParameters } from '../../e2e/examples';
import { makeId } from '../../e2e/harness';
import type { Workflow, WorkflowNode } from '../../e2e/harness';


type NodeInput = Omit<WorkflowNode, 'id' | 'position'>;

/** `Webhook (POST path, answered by a Respond to Webhook node) → nodes[0] → nodes[1] → …` */
function webhookChain(name: string, webhookPath: string, nodes: NodeInput[]): Workflow {
	const webhook: NodeInput = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		webhookId: makeId('hook'),
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'responseNode', options: {} },
	};
	const all = [webhook, ...nodes].map((node, index): WorkflowNode => ({ ...node, id: makeId('n'), position: [index * 240, 0] }));
	const connections: Workflow['connections'] = {};
	for (let i = 0; i + 1 < all.length; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id: makeId('wf'), name, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

const credentials = { sora2Api: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } };

/** POST {prompt} → Create (wait, Download Video) → the video file itself as the answer, its task id in `x-task-id`. */
export function videoFileWorkflow(webhookPath: string, pollIntervalSeconds: number): Workflow {
	return webhookChain('queue: webhook → video file', webhookPath, [
		{
			name: 'Create video',
			type: SORA2_TYPE,
			typeVersion: 1,
			parameters: createVideoParameters({ prompt: '={{ $json.body.prompt }}', pollInterval: pollIntervalSeconds, downloadVideo: true, binaryPropertyName: 'data' }),
			credentials,
		},
		{
			name: 'Respond with the file',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			parameters: {
				respondWith: 'binary',
				responseDataSource: 'set',
				inputFieldName: 'data',
				options: { responseHeaders: { entries: [{ name: 'x-task-id', value: '={{ $json.taskId }}' }] } },
			},
		},
	]);
}

/** POST {taskIds: [...]} → Get Task for each (waiting) → all items as the answer: videos found again by their ids. */
export function collectWorkflow(webhookPath: string, pollIntervalSeconds: number): Workflow {
	return webhookChain('queue: collect tasks by id', webhookPath, [
		{
			name: 'One item per task',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.taskIds', options: { destinationFieldName: 'taskId' } },
		},
		{
			name: 'Get the videos',
			type: SORA2_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'video',
				operation: 'getTask',
				taskId: '={{ $json.taskId }}',
				waitForCompletion: true,
				pollInterval: pollIntervalSeconds,
				maxWait: 120,
				downloadVideo: false,
				options: {},
			},
			credentials,
		},
		{
			name: 'Respond with the videos',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			parameters: { respondWith: 'allIncomingItems', options: {} },
		},
	]);
}
