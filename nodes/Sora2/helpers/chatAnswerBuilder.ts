import type { ChatChunk, ChatDelta, ToolCallDelta } from './chatSchemas';

/*
 * Joins the `chat.completion.chunk`s of a streamed answer (content deltas, tool-call deltas, finish
 * reasons, usage) into the one answer the same request gives without streaming.
 */

interface ToolCallParts {
	id?: string;
	type?: string;
	name: string;
	args: string[];
}

interface ChoiceParts {
	role?: string;
	/** Text fields of the deltas (content, and e.g. reasoning_content), in pieces. */
	texts: Map<string, string[]>;
	toolCalls: Map<number, ToolCallParts>;
	finishReason: string | null;
}

const byIndex = <T>(map: Map<number, T>): T[] => [...map.entries()].sort(([a], [b]) => a - b).map(([, value]) => value);

export class ChatAnswerBuilder {
	private readonly top: Record<string, unknown> = {};

	private readonly choices = new Map<number, ChoiceParts>();

	private usage: Record<string, unknown> | undefined;

	add(chunk: ChatChunk): void {
		for (const [key, value] of Object.entries(chunk)) {
			if (key === 'choices' || key === 'usage' || key === 'object' || value === undefined || value === null) continue;
			if (!(key in this.top)) this.top[key] = value;
		}
		if (chunk.usage) this.usage = chunk.usage;
		for (const [position, choice] of (chunk.choices ?? []).entries()) {
			const parts = this.choice(choice.index ?? position);
			if (choice.finish_reason) parts.finishReason = choice.finish_reason;
			if (choice.delta) this.addDelta(parts, choice.delta);
		}
	}

	/** The text of one field (content by default) of the first choice, as far as it arrived. */
	text(field = 'content'): string {
		const first = byIndex(this.choices)[0];
		return first?.texts.get(field)?.join('') ?? '';
	}

	/** The answer in the shape of a whole (non-streamed) chat completion. */
	result(): Record<string, unknown> {
		const { id, created, model, ...rest } = this.top;
		const choices = [...this.choices.entries()]
			.sort(([a], [b]) => a - b)
			.map(([index, parts]) => {
				const content = parts.texts.get('content');
				const message: Record<string, unknown> = { role: parts.role ?? 'assistant', content: content ? content.join('') : null };
				for (const [field, pieces] of parts.texts) if (field !== 'content') message[field] = pieces.join('');
				if (parts.toolCalls.size) {
					message.tool_calls = byIndex(parts.toolCalls).map((call) => ({
						id: call.id ?? '',
						type: call.type ?? 'function',
						function: { name: call.name, arguments: call.args.join('') },
					}));
				}
				return { index, message, finish_reason: parts.finishReason };
			});
		const answer: Record<string, unknown> = { id, object: 'chat.completion', created, model, ...rest, choices };
		if (this.usage) answer.usage = this.usage;
		for (const key of Object.keys(answer)) if (answer[key] === undefined) delete answer[key];
		return answer;
	}

	private choice(index: number): ChoiceParts {
		let parts = this.choices.get(index);
		if (!parts) {
			parts = { texts: new Map(), toolCalls: new Map(), finishReason: null };
			this.choices.set(index, parts);
		}
		return parts;
	}

	private addDelta(parts: ChoiceParts, delta: ChatDelta): void {
		for (const [field, value] of Object.entries(delta)) {
			if (field === 'role') {
				if (typeof value === 'string' && value !== '') parts.role = value;
			} else if (field === 'tool_calls') {
				this.addToolCalls(parts, delta.tool_calls ?? []);
			} else if (typeof value === 'string') {
				const pieces = parts.texts.get(field);
				if (pieces) pieces.push(value);
				else parts.texts.set(field, [value]);
			}
		}
	}

	/** The first delta of a call names it (id, type, function name); the next ones add argument text. */
	private addToolCalls(parts: ChoiceParts, calls: ToolCallDelta[]): void {
		for (const [position, call] of calls.entries()) {
			const index = call.index ?? position;
			let tool = parts.toolCalls.get(index);
			if (!tool) {
				tool = { name: '', args: [] };
				parts.toolCalls.set(index, tool);
			}
			if (call.id) tool.id = call.id;
			if (call.type) tool.type = call.type;
			if (call.function?.name) tool.name = call.function.name;
			if (call.function?.arguments) tool.args.push(call.function.arguments);
		}
	}
}
