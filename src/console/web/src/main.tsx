// The console's pages. The server sent this page only to a logged-in session.
import { render } from 'preact';
import { LocationProvider, Router, Route } from 'preact-iso';
import './style.css';
import { start, config, configError } from './store.js';
import { Layout } from './components/Layout.js';
import { ServicesPage } from './pages/Services.js';
import { ServicePage } from './pages/ServiceDetail.js';
import { StatusPage } from './pages/Status.js';
import { EventsPage } from './pages/Events.js';
import { ImportPage } from './pages/Import.js';
import { SettingsPage } from './pages/Settings.js';

function NotFound() {
  return <section class="page"><h1>No such page</h1><p><a href="/services">Services</a></p></section>;
}

function App() {
  if (!config.value) {
    return (
      <Layout>
        <section class="page"><p class={configError.value ? 'error' : 'muted'} role="status">{configError.value || 'Loading the configuration…'}</p></section>
      </Layout>
    );
  }
  return (
    <Layout>
      <Router>
        <Route path="/" component={ServicesPage} />
        <Route path="/services" component={ServicesPage} />
        <Route path="/services/:protocol/:vip/:port" component={ServicePage} />
        <Route path="/status" component={StatusPage} />
        <Route path="/events" component={EventsPage} />
        <Route path="/import" component={ImportPage} />
        <Route path="/settings" component={SettingsPage} />
        <Route default component={NotFound} />
      </Router>
    </Layout>
  );
}

render(<LocationProvider><App /></LocationProvider>, document.getElementById('app')!);
start().catch((e: Error) => { configError.value = e.message; });
