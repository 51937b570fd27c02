/*
 * The text of a chat message's `content`. OpenAI-compatible servers send it as a string, or (newer
 * ones) as a list of parts: `[{"type": "text", "text": "…"}, {"type": "image_url", …}]`. Create
 * answers of the chat shape (task ids in the text) and chat answers (links, progress) both read it.
 */

function partText(part: unknown): string | undefined {
	if (typeof part === 'string') return part;
	if (typeof part !== 'object' || part === null || Array.isArray(part)) return undefined;
	const { text } = part as { text?: unknown };
	if (typeof text === 'string') return text;
	// the Assistants API's shape: {"type": "text", "text": {"value": "…"}}
	if (typeof text === 'object' && text !== null && typeof (text as { value?: unknown }).value === 'string') return (text as { value: string }).value;
	return undefined;
}

/**
 * A string content as it is; a list of parts as the text of its text parts, one per line (so a link
 * at the end of one part never runs into the next); '' for anything else (null, a tool call's absent content).
 */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map(partText)
		.filter((text): text is string => text !== undefined && text !== '')
		.join('\n');
}
