import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { maxTokensOf, messagesFromJson, messagesFromRows, parseTools, temperatureOf, toolChoiceOf } from './chatRequest';
import type { ChatMessage, ChatTools, Checked, ToolChoice } from './chatRequest';
import { CHAT_MODEL } from './defaults';
import { inputError } from './params';

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

export interface CompletionInput {
	body: ChatBody;
	simplify: boolean;
}

/** Reads one item's Chat → Completion fields and checks them the way the API would, before anything is sent. */
export function readCompletionInput(fn: IExecuteFunctions, itemIndex: number): CompletionInput {
	const checked = <T>(result: Checked<T>): T => {
		if (!result.ok) throw inputError(fn, itemIndex, result.problem, result.fix);
		return result.value;
	};

	const rawModel = fn.getNodeParameter('chatModel', itemIndex, CHAT_MODEL) as unknown;
	const model = typeof rawModel === 'string' ? rawModel.trim() : '';
	if (model === '') throw inputError(fn, itemIndex, 'Model is empty', `Enter ${CHAT_MODEL} in Model (or the model name your proxy offers).`);

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
