import { z } from 'zod';

/*
 * Shapes of the chat flavour of the API (`POST /chat/completions`): the whole answer, a streamed
 * chunk, a function tool. Unknown fields are kept (`passthrough`).
 */

/** A function name as OpenAI accepts it. */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** An OpenAI function tool: `{"type":"function","function":{"name":…,"description":…,"parameters":{…}}}`. */
export const functionToolSchema = z
	.object({
		type: z.literal('function'),
		function: z
			.object({
				name: z.string().regex(FUNCTION_NAME),
				description: z.string().optional(),
				parameters: z.record(z.string(), z.unknown()).optional(),
			})
			.passthrough(),
	})
	.passthrough();

/** A content part (`{"type": "text", "text": "…"}`, an image part …): newer OpenAI-compatible servers send content as a list of them. */
const contentPartSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

/** A message's content: text, or a list of parts (their text is read by `shared/chatContent.ts`). */
const contentSchema = z.union([z.string(), z.array(contentPartSchema), z.null()]);

const toolCallDeltaSchema = z
	.object({
		index: z.number().int().nonnegative().optional(),
		id: z.string().nullish(),
		type: z.string().nullish(),
		function: z
			.object({ name: z.string().nullish(), arguments: z.string().nullish() })
			.passthrough()
			.nullish(),
	})
	.passthrough();

export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

const deltaSchema = z
	.object({
		role: z.string().nullish(),
		content: contentSchema.optional(),
		tool_calls: z.array(toolCallDeltaSchema).nullish(),
	})
	.passthrough();

export type ChatDelta = z.infer<typeof deltaSchema>;

/** One `data:` event of a streamed answer: `chat.completion.chunk`. The last may carry only `usage`. */
export const chatChunkSchema = z
	.object({
		id: z.string().optional(),
		object: z.string().optional(),
		created: z.number().optional(),
		model: z.string().optional(),
		choices: z
			.array(
				z
					.object({
						index: z.number().int().nonnegative().optional(),
						delta: deltaSchema.nullish(),
						finish_reason: z.string().nullish(),
					})
					.passthrough(),
			)
			.nullish(),
		usage: z.record(z.string(), z.unknown()).nullish(),
	})
	.passthrough();

export type ChatChunk = z.infer<typeof chatChunkSchema>;

const chatMessageSchema = z
	.object({
		role: z.string().optional(),
		content: contentSchema.optional(),
	})
	.passthrough();

/**
 * A whole chat completion (also the second documented create answer). Some gateways send no `id`,
 * or an empty one: the answer counts all the same.
 */
export const chatCompletionAnswerSchema = z
	.object({
		id: z.string().nullish(),
		object: z.string().optional(),
		created: z.number().optional(),
		choices: z
			.array(
				z
					.object({
						index: z.number().optional(),
						message: chatMessageSchema.optional(),
						finish_reason: z.union([z.string(), z.null()]).optional(),
					})
					.passthrough(),
			)
			.min(1),
		usage: z.record(z.string(), z.unknown()).nullish(),
	})
	.passthrough();

export type ChatCompletionAnswer = z.infer<typeof chatCompletionAnswerSchema>;
