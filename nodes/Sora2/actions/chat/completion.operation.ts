import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { bodyFieldsOption, requestSettings } from '../../descriptions/requestOptions';
import { completeChat } from '../../chat/completion';
import { readCompletionInput } from '../../chat/input';
import { CHAT_REQUEST_TIMEOUT_SECONDS, TOOLS, TOOL_CHOICE_FUNCTION } from '../../config/defaults';
import { runBatch } from '../../run/batch';

/** The run-wide request settings, with the chat's longer timeout: a non-streamed answer comes only when the video is done. */
const chatRequestSettings = requestSettings(
	CHAT_REQUEST_TIMEOUT_SECONDS,
	'How long to wait for the answer. Without Stream: for the whole answer, which comes only when the video is done. With Stream: for each next piece of it.',
);

const chatOptions: INodeProperties[] = [
	bodyFieldsOption('{"top_p": 0.9} or {"user": "crm-42"}'),
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
		default: TOOLS,
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
		default: TOOL_CHOICE_FUNCTION,
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
		options: [...chatOptions, ...chatRequestSettings].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['completion'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runBatch(this, items, {
		timeoutSeconds: CHAT_REQUEST_TIMEOUT_SECONDS,
		prepare: (itemIndex) => readCompletionInput(this, itemIndex),
		run: async (run, input, itemIndex) => await completeChat(run, input, itemIndex),
	});
}
