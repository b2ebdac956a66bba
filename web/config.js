// Deployment settings, read before the pages' modules load. `npm start` serves this file as is: the API
// is the pages' own origin and sign-in uses the local demo users. A deployment replaces this file, e.g.
//   window.HOTICH_API = 'https://api.sohoa-hotich.example.gov.vn';
//   window.HOTICH_AUTH = { provider: 'cognito', domain: '…', clientId: '…', redirectUri: location.origin + '/' };
window.HOTICH_API = window.HOTICH_API ?? '';
window.HOTICH_AUTH = window.HOTICH_AUTH ?? { provider: 'dev' };
