import type { INodeProperties } from 'n8n-workflow';

import { BODY_FIELDS_LABEL } from '../shared/bodyFields';

/** Additional Body Fields, an option of Create and Chat: what a gateway takes beyond the documented body. */
export function bodyFieldsOption(examples: string): INodeProperties {
	return {
		displayName: BODY_FIELDS_LABEL,
		name: 'bodyFields',
		type: 'json',
		default: '{}',
		description: `A JSON object added to the request body of each item (an expression may give it per item): the options your gateway takes beyond the documented ones, e.g. ${examples}. What a gateway accepts is its own; a field the node sets (Model, Prompt …) cannot be set here.`,
	};
}
