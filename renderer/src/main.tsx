import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { selectBackend } from './backend/select-backend';
import { createStudioStore, StudioContext } from './stores/studio-store';
import './styles.css';

const backend = selectBackend();
const store = createStudioStore(backend);
const rootEl = document.getElementById('root');
if (!rootEl) throw new Error('index.html has no #root element');
createRoot(rootEl).render(
  <StrictMode>
    <StudioContext.Provider value={{ backend, store }}>
      <App />
    </StudioContext.Provider>
  </StrictMode>,
);
