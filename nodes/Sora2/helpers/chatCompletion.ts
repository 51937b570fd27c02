import type { INodeExecutionData } from 'n8n-workflow';

import type { ApiCall, CallSite } from '../transport';
import { chatItemJson, parseChatAnswer } from './chatAnswer';
import type { CompletionInput } from './chatInput';
import { readChatStream } from './chatStream';
import { LABELS } from './labels';
import type { Run } from './run';

/** One item of Chat → Completion: streamed (read as it arrives) or whole. */
export async function completeChat(run: Run, input: CompletionInput, itemIndex: number): Promise<INodeExecutionData> {
	const { client } = run;
	const site: CallSite = { itemIndex, operation: LABELS.completion };
	// A chat may start a video: it is retried only when the API certainly did not take it.
	const call: ApiCall = { method: 'POST', path: '/chat/completions', body: input.body, kind: 'chat', site };
	if (input.body.stream) {
		const answer = await client.stream(call, async (stream) => await readChatStream(client.errors, site, stream));
		return { json: chatItemJson(answer, input.simplify) };
	}
	const whole = await client.call(call);
	return { json: chatItemJson(parseChatAnswer(client.errors, site, whole.body, whole.text), input.simplify) };
}
