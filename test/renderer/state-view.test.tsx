// StateView: the five states every screen renders the same way, rendered to HTML with React's server
// renderer (no browser needed for markup).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StateView } from '../../renderer/src/components/StateView';
import { createAppStore } from '../../renderer/src/store/app-store';
import { StoreContext } from '../../renderer/src/store/hooks';
import type { Resource } from '../../renderer/src/store/resource';
import { scriptedClient } from '../support/scripted-client';

const unavailable = { kind: 'unavailable', message: 'Cannot reach the cluster.' } as const;

function render(resource: Resource<string[]>): string {
  const store = createAppStore(scriptedClient({}).client);
  return renderToStaticMarkup(
    <StoreContext.Provider value={store}>
      <StateView resource={resource} loadingLabel="Loading topics…" isEmpty={(data) => data.length === 0} empty={<p>No topics yet.</p>}>
        {(data, stale) => (
          <ul data-stale={stale}>
            {data.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
        )}
      </StateView>
    </StoreContext.Provider>,
  );
}

describe('StateView', () => {
  it('shows loading until there is data, then the data (kept while loading again)', () => {
    expect(render({ status: 'idle', data: null, error: null })).toContain('Loading topics…');
    expect(render({ status: 'loading', data: null, error: null })).toContain('Loading topics…');
    const reloading = render({ status: 'loading', data: ['orders'], error: null });
    expect(reloading).toBe('<ul data-stale="false"><li>orders</li></ul>');
  });

  it('shows empty data as empty, an error alone, and data as last read (partial) beside an error', () => {
    expect(render({ status: 'ready', data: [], error: null })).toBe('<p>No topics yet.</p>');
    const failed = render({ status: 'error', data: null, error: unavailable });
    expect(failed).toContain('role="alert"');
    expect(failed).toContain('Cannot reach the cluster.');
    expect(failed).not.toContain('Loading');
    // An empty last answer next to an error says only the error, not "no topics".
    expect(render({ status: 'error', data: [], error: unavailable })).not.toContain('No topics yet.');
    const partial = render({ status: 'error', data: ['orders'], error: unavailable });
    expect(partial).toContain('Cannot reach the cluster.');
    expect(partial).toContain('<ul data-stale="true"><li>orders</li></ul>');
  });
});
