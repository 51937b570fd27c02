import { updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../../descriptions/waitFields';
import { runBatch } from '../../helpers/batch';
import { chatItemJson, parseChatAnswer } from '../../helpers/chatAnswer';
import {
	maxTokensOf,
	messagesFromJson,
	messagesFromRows,
	parseTools,
	temperatureOf,
	toolChoiceOf,
} from '../../helpers/chatRequest';
import type { ChatMessage, ChatTools, Checked, ToolChoice } from '../../helpers/chatRequest';
import { readChatStream } from '../../helpers/chatStream';
import { inputError, readClientSettings } from '../../helpers/params';
import { createSora2Client } from '../../transport';
import type { ApiCall, CallSite, ClientSettings } from '../../transport';

/** A non-streamed chat answer comes only when the video is done (minutes): the chat's own default. */
const CHAT_DEFAULT_TIMEOUT_SECONDS = 300;

function isProperty(option: NonNullable<INodeProperties['options']>[number]): option is INodeProperties {
	return 'type' in option && 'default' in option;
}

/** The run-wide request options (shared with the video operations), timeout worded for the chat. */
const requestSettings: INodeProperties[] = (requestOptions.options ?? []).filter(isProperty).map((option) =>
	option.name === 'requestTimeout'
		? {
				...option,
				default: CHAT_DEFAULT_TIMEOUT_SECONDS,
				description:
					'How long to wait for the answer. Without Stream: for the whole answer, which comes only when the video is done. With Stream: for each next piece of it.',
			}
		: option,
);

const chatOptions: INodeProperties[] = [
	{
		displayName: 'Max Tokens',
		name: 'maxTokens',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 1000,
		description: 'The most tokens the answer may have (max_tokens). Without it, the model\'s context is the limit.',
	},
	{
		displayName: 'Simplify Output',
		name: 'simplify',
		type: 'boolean',
		default: false,
		description:
			'Whether to return only the answer text, tool calls, finish reason, video links and progress, instead of the whole API answer (with the links and progress added)',
	},
	{
		displayName: 'Stream',
		name: 'stream',
		type: 'boolean',
		default: false,
		description:
			'Whether to have the answer streamed (server-sent events). The node reads it as it arrives and outputs the same item as without streaming; long generations then do not hit the Request Timeout as long as progress keeps coming.',
	},
	{
		displayName: 'Temperature',
		name: 'temperature',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 1 },
		default: 1,
		description: 'Sampling temperature from 0 to 2: higher is more random',
	},
];

const properties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'chatModel',
		type: 'string',
		default: 'sora-2',
		required: true,
		placeholder: 'e.g. sora-2',
		description: 'The chat model. The API documents sora-2; a proxy that offers other models takes their name here.',
	},
	{
		displayName: 'Specify Messages',
		name: 'specifyMessages',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Using Fields Below', value: 'fields', description: 'One row per message: role and content' },
			{ name: 'Using JSON', value: 'json', description: 'A JSON array of {role, content}, e.g. the conversation from an earlier node' },
		],
		default: 'fields',
		description: 'How to give the conversation: as rows of role and content, or as one JSON array',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { values: [{ role: 'user', content: '' }] },
		description: 'The conversation so far; the last user message is the prompt of the video',
		displayOptions: { show: { specifyMessages: ['fields'] } },
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: [
							{ name: 'Assistant', value: 'assistant', description: 'An earlier answer of the model' },
							{ name: 'System', value: 'system', description: 'Instructions on how the model should behave' },
							{ name: 'User', value: 'user', description: 'What you ask for, e.g. the video to make' },
						],
						default: 'user',
						description: 'Who says the message',
					},
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 3 },
						default: '',
						placeholder: 'e.g. A golden retriever astronaut floats through a space station',
						description: 'The text of the message',
					},
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default: '[\n  {\n    "role": "user",\n    "content": ""\n  }\n]',
		description: 'An array of {"role": "system" | "user" | "assistant", "content": …} objects, as text or from an expression',
		displayOptions: { show: { specifyMessages: ['json'] } },
	},
	{
		displayName: 'Tools',
		name: 'tools',
		type: 'string',
		default: 'function:generate_animate',
		placeholder: 'e.g. function:generate_animate',
		description:
			'The tools the model may call: function:NAME entries separated by commas or new lines (the documented form), or a JSON array of OpenAI function objects. Leave empty to send no tools.',
	},
	{
		displayName: 'Tool Choice',
		name: 'toolChoice',
		type: 'options',
		options: [
			{ name: 'Auto', value: 'auto', description: 'The model decides whether to call a tool' },
			{ name: 'Function', value: 'function', description: 'The model must call the function named below' },
			{ name: 'None', value: 'none', description: 'The model calls no tool' },
			{ name: 'Required', value: 'required', description: 'The model must call one of the tools' },
		],
		default: 'auto',
		description: 'Whether and which tool the model must call (tool_choice; not sent when Tools is empty)',
	},
	{
		displayName: 'Function Name',
		name: 'toolChoiceFunction',
		type: 'string',
		default: 'generate_animate',
		required: true,
		placeholder: 'e.g. generate_animate',
		description: 'The function the model must call; it must be one of the Tools',
		displayOptions: { show: { toolChoice: ['function'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'More chat settings, and the request settings of this run (read from the first item)',
		options: [...chatOptions, ...requestSettings].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['completion'] } }, properties);

/** The documented body of `POST /chat/completions`. */
export interface ChatBody extends IDataObject {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTools;
	tool_choice?: ToolChoice;
	stream: boolean;
	max_tokens?: number;
	temperature?: number;
}

interface CompletionInput {
	body: ChatBody;
	simplify: boolean;
}

/** Reads one item's fields and checks them the way the API would, before anything is sent. */
export function readCompletionInput(fn: IExecuteFunctions, itemIndex: number): CompletionInput {
	const checked = <T>(result: Checked<T>): T => {
		if (!result.ok) throw inputError(fn, itemIndex, result.problem, result.fix);
		return result.value;
	};

	const rawModel = fn.getNodeParameter('chatModel', itemIndex, 'sora-2') as unknown;
	const model = typeof rawModel === 'string' ? rawModel.trim() : '';
	if (model === '') throw inputError(fn, itemIndex, 'Model is empty', 'Enter sora-2 in Model (or the model name your proxy offers).');

	const specify = fn.getNodeParameter('specifyMessages', itemIndex, 'fields') as unknown;
	const messages = checked(
		specify === 'json'
			? messagesFromJson(fn.getNodeParameter('messagesJson', itemIndex, '') as unknown)
			: messagesFromRows(fn.getNodeParameter('messages', itemIndex, {}) as unknown),
	);

	const tools = checked(parseTools(fn.getNodeParameter('tools', itemIndex, '') as unknown));
	const mode = fn.getNodeParameter('toolChoice', itemIndex, 'auto') as unknown;
	const functionName = mode === 'function' ? (fn.getNodeParameter('toolChoiceFunction', itemIndex, '') as unknown) : undefined;
	const toolChoice = checked(toolChoiceOf(mode, functionName, tools));

	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const temperature = checked(temperatureOf(options.temperature));
	const maxTokens = checked(maxTokensOf(options.maxTokens));

	const body: ChatBody = { model, messages, stream: options.stream === true };
	if (tools.length) body.tools = tools;
	if (toolChoice !== undefined) body.tool_choice = toolChoice;
	if (maxTokens !== undefined) body.max_tokens = maxTokens;
	if (temperature !== undefined) body.temperature = temperature;
	return { body, simplify: options.simplify === true };
}

/** The run-wide settings; the chat waits longer by default (see CHAT_DEFAULT_TIMEOUT_SECONDS). */
function chatClientSettings(fn: IExecuteFunctions): ClientSettings {
	const settings = readClientSettings(fn);
	const options = fn.getNodeParameter('options', 0, {}) as IDataObject;
	if (options.requestTimeout === undefined) settings.timeoutMs = CHAT_DEFAULT_TIMEOUT_SECONDS * 1000;
	return settings;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const client = await createSora2Client(this, chatClientSettings(this));
	return await runBatch(this, items, {
		prepare: (itemIndex) => readCompletionInput(this, itemIndex),
		run: async ({ body, simplify }, itemIndex) => {
			const site: CallSite = { itemIndex, operation: 'Chat → Completion' };
			// A chat may start a video: it is retried only when the API certainly did not take it.
			const call: ApiCall = { method: 'POST', path: '/chat/completions', body, mode: 'create', site };
			if (body.stream) {
				const answer = await client.stream(call, async (stream) => await readChatStream(client, site, stream));
				return { json: chatItemJson(answer, simplify) };
			}
			const whole = await client.call(call);
			return { json: chatItemJson(parseChatAnswer(client, site, whole.body, whole.text), simplify) };
		},
		stopAll: (reason) => client.stop(reason),
	});
}
