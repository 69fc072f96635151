/** The test app's credentials (test/kit builds every test app with them). */
export const TEST_APP_ID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
export const TEST_APP_SECRET = 'test-app-secret-5b0f6a2e';
export const OTHER_APP_ID = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';
