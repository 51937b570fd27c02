/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- e2e test: runs outside n8n, writes the workflow file with node:fs and prints what the agent did */
/**
 * The Sora2 node used as an AI Agent's tool, in the REAL n8n (package installed the way users install
 * it). n8n 2.41 turns every `usableAsTool` node into a `<type>Tool` node (tool-generation/ai-tools.js:
 * convertNodeToAiTool), and at run time wraps it in a LangChain tool (n8n-core createNodeAsTool:
 * name from the node name, description "<action> in Sora2", schema from the `$fromAI()` calls).
 *
 * There is no LLM here: the agent's chat model is n8n's own OpenAI Chat Model node pointed at the
 * mock server's fake chat model (`/llm/v1`, test/mock-server/llm.js), which first calls the tool
 * it is offered, then answers with what the tool returned.
 *
 *   Manual Trigger → AI Agent ← OpenAI Chat Model (ai_languageModel)
 *                             ← Sora2 Tool, Video → Create (ai_tool), prompt = $fromAI('prompt', …)
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { LlmChatRequest, MockServer } from '../mock-server/server';
import {
	MANUAL_TRIGGER,
	N8nSession,
	describeResult,
	makeId,
	nodeType,
	outputItems,
	sora2Credential,
	startMock,
	stopMock,
	type CredentialImport,
	type ExecuteResult,
	type Workflow,
} from './harness';

const USER_PROMPT = 'A corgi surfing a wave at sunset, slow motion';
const PROMPT_HINT = 'What the video shows: the scene, the motion and the style';

function agentWorkflow(sora2: CredentialImport, openAi: CredentialImport): Workflow {
	return {
		id: makeId('wfagent'),
		name: 'AI Agent with the Sora2 tool',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: makeId('n'), name: MANUAL_TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: makeId('n'),
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3,
				position: [220, 0],
				parameters: {
					promptType: 'define',
					text: USER_PROMPT,
					options: { systemMessage: 'You make videos with the Sora2 tool and answer with its result.' },
				},
			},
			{
				id: makeId('n'),
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.2,
				position: [120, 200],
				parameters: { model: { __rl: true, mode: 'id', value: 'fake-llm' }, options: {} },
				credentials: { openAiApi: { id: openAi.id, name: openAi.name } },
			},
			{
				id: makeId('n'),
				name: 'Sora2',
				type: nodeType('installed', 'sora2Tool'),
				typeVersion: 1,
				position: [320, 200],
				parameters: {
					resource: 'video',
					operation: 'create',
					model: 'sora-2',
					prompt: `={{ $fromAI('prompt', '${PROMPT_HINT}', 'string') }}`,
					orientation: 'landscape',
					size: 'small',
					duration: 10,
					images: '',
					waitForCompletion: true,
					pollInterval: 0.2,
					maxWait: 60,
				},
				credentials: { sora2Api: { id: sora2.id, name: sora2.name } },
			},
		],
		connections: {
			[MANUAL_TRIGGER]: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			Sora2: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

describe('real n8n: an AI Agent calls the Sora2 node as a tool', () => {
	let session: N8nSession;
	let mock: MockServer;
	let result: ExecuteResult;

	beforeAll(async () => {
		mock = await startMock({ pendingMs: 100, generationMs: 300 });
		session = await N8nSession.create({ staging: 'installed' });
		const sora2 = sora2Credential(mock);
		const openAi: CredentialImport = {
			id: makeId('credllm'),
			name: 'Fake LLM',
			type: 'openAiApi',
			data: { apiKey: 'sk-fake-llm', url: `${mock.url}/llm/v1` },
		};
		await session.importCredentials([sora2, openAi]);
		const workflow = agentWorkflow(sora2, openAi);
		const file = path.join(session.root, 'agent-workflow.json');
		await fs.writeFile(file, JSON.stringify([workflow], null, 2), 'utf8');
		const imported = await session.n8n(['import:workflow', `--input=${file}`]);
		if (imported.exitCode !== 0 || !/Successfully imported 1 workflow/.test(imported.stdout)) {
			throw new Error(`import failed\n${describeResult(imported)}`);
		}
		result = await session.execute(workflow.id, 180_000);
	});

	afterAll(async () => {
		if (session) await session.dispose();
		await stopMock(mock);
	});

	test('the run succeeds and the agent answers with what the tool returned', () => {
		if (!result.ok) throw new Error(`the agent workflow did not run cleanly\n${describeResult(result)}`);
		const [answer] = outputItems(result, 'AI Agent');
		const output = String(answer.json.output);
		console.log(`[e2e agent] agent output: ${output.slice(0, 600)}`);
		const tasks = [...mock.tasks.values()];
		expect(tasks).toHaveLength(1);
		expect(output).toContain('Done. The tool answered:');
		expect(output).toContain(tasks[0].id);
		expect(output).toContain(`${mock.url}/files/`);
		expect(output).toContain('completed');
	});

	test('the model was offered the Sora2 tool with an agent-readable description and schema', () => {
		expect(mock.llmRequests).toHaveLength(2);
		const first: LlmChatRequest = mock.llmRequests[0];
		const tools = first.tools ?? [];
		expect(tools).toHaveLength(1);
		const tool = tools[0].function;
		console.log(`[e2e agent] tool offered: ${JSON.stringify(tool)}`);
		expect(tool.name).toBe('Sora2');
		// descriptionType "auto": "<action of the chosen operation> in <node's default name>"
		expect(tool.description).toBe('Create a video in Sora2');
		expect(tool.parameters).toMatchObject({
			type: 'object',
			properties: { prompt: { type: 'string', description: PROMPT_HINT } },
			required: ['prompt'],
		});
	});

	test('the tool call created exactly one video with the prompt the model chose', () => {
		const [task] = [...mock.tasks.values()];
		expect(task.prompt).toBe(USER_PROMPT);
		expect(task.model).toBe('sora-2');
		expect(task.orientation).toBe('landscape');
		expect(mock.stats().requests['POST /v1/video/create']).toBe(1);
		// the second model call carries the tool's result (the node's output item as JSON)
		const toolMessage = mock.llmRequests[1].messages.find((message) => message.role === 'tool');
		const content = typeof toolMessage?.content === 'string' ? toolMessage.content : JSON.stringify(toolMessage?.content);
		expect(content).toContain(task.id);
		expect(content).toContain('"status":"completed"');
	});

	test('the Sora2 tool node ran once, as a sub-node of the agent', () => {
		const runs = result.resultData?.runData.Sora2 ?? [];
		expect(runs).toHaveLength(1);
		expect(runs[0].error).toBeUndefined();
	});
});
