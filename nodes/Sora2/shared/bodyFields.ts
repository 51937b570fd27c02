import { describeValue, errorMessage, fail, isRecord, ok } from './values';
import type { Result } from './values';

/*
 * Additional Body Fields: a JSON object of a gateway's own options (watermark removal, an HD switch,
 * a callback URL …) added to the request body. The node's own fields keep their keys: such a key
 * here is an error that names the field to use instead, so nothing is overwritten silently.
 */

/** What is wrong with the fields, and how to fix it. */
export interface BodyFieldsProblem {
	problem: string;
	fix: string;
}

export const BODY_FIELDS_LABEL = 'Additional Body Fields';

const JSON_FIX = `Give ${BODY_FIELDS_LABEL} as a JSON object, e.g. {"remove_watermark": true}, or leave it empty.`;

/** The body keys an operation sends from its own fields, each with the field that sets it. */
export type ReservedKeys = Readonly<Record<string, string>>;

function fromText(text: string): Result<unknown, BodyFieldsProblem> {
	if (text.trim() === '') return ok({});
	try {
		return ok(JSON.parse(text) as unknown);
	} catch (error) {
		return fail({ problem: `${BODY_FIELDS_LABEL} is not valid JSON (${errorMessage(error)})`, fix: JSON_FIX });
	}
}

/**
 * The extra fields of one item (a JSON text, or an object from an expression), checked: an object,
 * and no key the operation sends from one of its own fields.
 */
export function parseBodyFields(raw: unknown, reserved: ReservedKeys): Result<Record<string, unknown>, BodyFieldsProblem> {
	if (raw === undefined || raw === null) return ok({});
	const parsed = typeof raw === 'string' ? fromText(raw) : ok(raw);
	if (!parsed.ok) return parsed;
	const value = parsed.value;
	if (!isRecord(value)) {
		return fail({ problem: `${BODY_FIELDS_LABEL} must be a JSON object, but it is ${describeValue(value)}`, fix: JSON_FIX });
	}
	for (const key of Object.keys(value)) {
		if (Object.prototype.hasOwnProperty.call(reserved, key)) {
			return fail({
				problem: `${BODY_FIELDS_LABEL} sets "${key}", which the node sends from its ${reserved[key]} field`,
				fix: `Remove "${key}" from ${BODY_FIELDS_LABEL} and set it in ${reserved[key]} instead.`,
			});
		}
	}
	return ok(value);
}
