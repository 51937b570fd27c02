import { z } from 'zod';

/**
 * What the Sora2 API sends back, as far as the seed and the providers that serve it document.
 * Every schema is `passthrough`: fields we do not know are kept and handed to the user.
 */

const progressSchema = z.union([z.number(), z.string()]);

const errorFieldSchema = z.union([
	z.string(),
	z.object({ message: z.string().optional(), code: z.union([z.string(), z.number()]).optional() }).passthrough(),
	z.null(),
]);

/** `POST /video/create`, first documented variant: `{id, status, status_update_time}`. */
export const createTaskAnswerSchema = z
	.object({
		id: z.string().min(1),
		status: z.string().min(1),
		status_update_time: z.number().optional(),
	})
	.passthrough();

const chatMessageSchema = z
	.object({
		role: z.string().optional(),
		content: z.union([z.string(), z.null()]).optional(),
	})
	.passthrough();

/** `POST /video/create`, second documented variant (and `/chat/completions`): chat-completion shaped. */
export const chatCompletionAnswerSchema = z
	.object({
		id: z.string().min(1),
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
		usage: z.record(z.string(), z.unknown()).optional(),
	})
	.passthrough();

/** `GET /video/query?id=…` (and the OpenAI-format fallback `GET /videos/{id}`). */
export const taskAnswerSchema = z
	.object({
		id: z.string().optional(),
		status: z.string().min(1),
		progress: progressSchema.nullish(),
		video_url: z.string().nullish(),
		url: z.string().nullish(),
		thumbnail_url: z.string().nullish(),
		error: errorFieldSchema.optional(),
		detail: z.record(z.string(), z.unknown()).nullish(),
		created_at: z.number().nullish(),
		status_update_time: z.number().nullish(),
	})
	.passthrough();

/** The OpenAI error shape `{error: {message, type, code}}` (some proxies send `{error: "text"}`). */
export const openAiErrorSchema = z
	.object({
		error: z.union([
			z
				.object({
					message: z.string(),
					type: z.string().nullish(),
					code: z.union([z.string(), z.number()]).nullish(),
				})
				.passthrough(),
			z.string(),
		]),
	})
	.passthrough();

/** A bare `{message}` error body. */
export const bareErrorSchema = z.object({ message: z.string() }).passthrough();

export type CreateTaskAnswer = z.infer<typeof createTaskAnswerSchema>;
export type ChatCompletionAnswer = z.infer<typeof chatCompletionAnswerSchema>;
export type TaskAnswer = z.infer<typeof taskAnswerSchema>;
