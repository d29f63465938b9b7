import { render } from 'preact';
import { App } from './App.js';
import { registerOfflineShell } from './lib/offline.js';
import './styles/base.css';
import './styles/landing.css';
import './styles/room.css';
import './styles/panels.css';
import './styles/run.css';
import './styles/preview.css';
import './styles/policy.css';

render(<App />, document.getElementById('app')!);

registerOfflineShell();
