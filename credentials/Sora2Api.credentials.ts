import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class Sora2Api implements ICredentialType {
	name = 'sora2Api';

	displayName = 'Sora2 API';

	icon = { light: 'file:../icons/sora2.svg', dark: 'file:../icons/sora2.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-sora2/n8n-nodes-sora2#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The key your Sora2 provider gave you. It is sent as "Authorization: Bearer <key>".',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.6ai.chat/v1',
			required: true,
			placeholder: 'https://api.6ai.chat/v1',
			description:
				'The API root, including the /v1 part. A trailing slash is fine. Only http(s) URLs without a user name or password in them are accepted.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Lists the models: answers 200 only for a key the API accepts, and costs nothing. A redirect to
	// another host is followed without the key.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/models',
			method: 'GET',
			headers: { Accept: 'application/json' },
			sendCredentialsOnCrossOriginRedirect: false,
		},
	};
}
