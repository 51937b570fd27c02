import type { INodeExecutionData } from 'n8n-workflow';

import { REQUEST_PRIORITY } from '../config/defaults';
import { LABELS } from '../config/labels';
import type { Run } from '../run/settings';
import { PAID_REQUEST_HINTS } from '../task/ledger';
import type { ApiRequest, CallSite } from '../transport';
import { chatItemJson, parseChatAnswer } from './answer';
import type { CompletionInput } from './input';
import { readChatStream } from './stream';

/** One item of Chat → Completion: streamed (read as it arrives) or whole. */
export async function completeChat(run: Run, input: CompletionInput, itemIndex: number): Promise<INodeExecutionData> {
	const { client } = run;
	const site: CallSite = { itemIndex, operation: LABELS.completion };
	// A chat may start a video: it is retried only when the API certainly did not take it. Its whole
	// answer takes minutes, so it is given up when another item fails.
	const call: ApiRequest = { site, repeatable: false, priority: REQUEST_PRIORITY.chat, hints: PAID_REQUEST_HINTS, method: 'POST', path: '/chat/completions', body: input.body };
	if (input.body.stream) {
		const answer = await client.stream(call, async (stream) => await readChatStream(client.errors, site, stream));
		return { json: chatItemJson(answer, input.simplify) };
	}
	const whole = await client.call(call);
	return { json: chatItemJson(parseChatAnswer(client.errors, site, whole.body, whole.text), input.simplify) };
}
