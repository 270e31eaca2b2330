import { Dashboard } from './dashboard.js';

new Dashboard(document, window.sessionStorage).start();
