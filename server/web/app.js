// airlab cloud dashboard: the channel list at /, and at /channels/<id> one live chart per field
// (uPlot, served by the server itself) above a table of the latest entries.
// Everything a channel holds reaches the page through textContent, never as markup.
'use strict';

(() => {
  const POLL_MS = 2000;
  const CHART_POINTS = 500;
  const TABLE_ROWS = 20;
  const COLORS = ['#2f6fde', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#e67700', '#5c940d'];

  const app = document.getElementById('app');
  // Read by the browser test: the charts drawn and the number of polls that found new data.
  const dashboard = { charts: [], refreshes: 0, view: null };
  window.airlabDashboard = dashboard;

  // el('td', {class: 'num'}, 'text', childNode): strings become text nodes.
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'class') node.className = value;
      else node.setAttribute(name, value);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store' });
    const text = await response.text();
    let body = text;
    try { body = JSON.parse(text); } catch (_) { /* -1 and error codes are text */ }
    return { status: response.status, body };
  }

  function formatTime(iso) {
    return iso ? iso.replace('T', ' ').replace('Z', ' UTC') : '';
  }

  function show(...nodes) {
    app.replaceChildren(...nodes);
  }

  // ---- the channel list -------------------------------------------------------------------

  async function showList() {
    dashboard.view = 'list';
    document.title = 'airlab cloud: channels';
    const render = async () => {
      const { status, body } = await getJson('/channels.json');
      if (status !== 200 || !Array.isArray(body)) {
        show(el('p', { class: 'notice' }, 'The server did not answer the channel list.'));
        return;
      }
      if (body.length === 0) {
        show(el('h1', {}, 'Channels'),
             el('p', { class: 'muted' }, 'No channels yet. Make one with ',
                el('code', {}, 'airlab channel create --name NAME --fields a,b'), '.'));
        return;
      }
      const rows = body.map((c) => {
        const fields = [];
        for (let f = 1; f <= 8; f++) if (c['field' + f] !== undefined) fields.push(c['field' + f]);
        return el('tr', {},
          el('td', { class: 'num' }, String(c.id)),
          el('td', {}, el('a', { href: '/channels/' + encodeURIComponent(c.id) }, c.name)),
          el('td', {}, el('span', { class: 'badge ' + (c.public_flag ? 'public' : 'private') },
                          c.public_flag ? 'public' : 'private')),
          el('td', {}, fields.join(', ')),
          el('td', { class: 'num' }, String(c.last_entry_id ?? 0)),
          el('td', {}, c.last_entry_id ? formatTime(c.updated_at) : '—'));
      });
      show(el('h1', {}, 'Channels'),
           el('div', { class: 'card table-card' },
              el('table', { id: 'channels' },
                 el('thead', {}, el('tr', {}, ...['ID', 'Name', 'Access', 'Fields', 'Entries', 'Last entry']
                   .map((h) => el('th', {}, h)))),
                 el('tbody', {}, ...rows))));
    };
    await render();
    setInterval(render, 5 * POLL_MS);
  }

  // ---- one channel ------------------------------------------------------------------------

  function keyForm(id, wrong) {
    const input = el('input', { name: 'api_key', placeholder: 'Read API key', autocomplete: 'off', spellcheck: 'false' });
    return el('div', { class: 'card' },
      el('h1', {}, 'Channel ' + id + ' is private'),
      el('p', { class: 'muted' }, wrong ? 'That key does not open this channel.' : 'Enter its read API key to see its data.'),
      el('form', { class: 'key', method: 'get', action: '/channels/' + id }, input,
         el('button', { type: 'submit' }, 'Open')));
  }

  function namedFields(channel) {
    const fields = [];
    for (let f = 1; f <= 8; f++) {
      if (channel['field' + f] !== undefined) fields.push({ n: f, name: channel['field' + f] });
    }
    return fields;
  }

  function makeChart(field, index, holder) {
    if (typeof uPlot === 'undefined') {
      holder.append(el('p', { class: 'notice' }, 'Charts need uPlot: run npm ci at the repository root and rebuild.'));
      return null;
    }
    const width = Math.max(holder.clientWidth, 300);
    const options = {
      width,
      height: 220,
      scales: { x: { time: true } },
      legend: { show: false },
      series: [
        {},
        { label: field.name, stroke: COLORS[index % COLORS.length], width: 2, spanGaps: true,
          points: { show: true, size: 5 } },
      ],
      axes: [
        { stroke: '#6b7385', space: 90,
          values: (u, splits) => splits.map((ts) => new Date(ts * 1000).toISOString().slice(11, 19)) },
        { stroke: '#6b7385', size: 60 },
      ],
    };
    return new uPlot(options, [[], []], holder);
  }

  function chartData(feeds, n) {
    const xs = [];
    const ys = [];
    for (const entry of feeds) {
      const value = entry['field' + n];
      const number = value === null || value === undefined || value === '' ? NaN : Number(value);
      xs.push(Date.parse(entry.created_at) / 1000);
      ys.push(Number.isFinite(number) ? number : null);
    }
    return [xs, ys];
  }

  function latestValue(feeds, n) {
    for (let i = feeds.length - 1; i >= 0; i--) {
      const v = feeds[i]['field' + n];
      if (v !== null && v !== undefined) return v;
    }
    return null;
  }

  function renderTable(tbody, fields, feeds) {
    const rows = feeds.slice(-TABLE_ROWS).reverse().map((entry) =>
      el('tr', { 'data-entry-id': String(entry.entry_id) },
        el('td', {}, formatTime(entry.created_at)),
        el('td', { class: 'num' }, String(entry.entry_id)),
        ...fields.map((f) => el('td', {}, entry['field' + f.n] ?? '')),
        el('td', {}, entry.status ?? '')));
    tbody.replaceChildren(...rows);
  }

  async function showChannel(id) {
    dashboard.view = 'channel';
    const key = new URLSearchParams(location.search).get('api_key') || '';
    const query = (params) => '?' + new URLSearchParams(key ? { ...params, api_key: key } : params);
    const feedUrl = '/channels/' + id + '/feeds.json' + query({ status: 'true', results: CHART_POINTS });
    const lastUrl = '/channels/' + id + '/feeds/last.json' + query({});

    let { status, body } = await getJson(feedUrl);
    if (status === 401) { show(keyForm(id, key !== '')); return; }
    if (status !== 200 || typeof body !== 'object') {
      show(el('h1', {}, 'No channel ' + id), el('p', {}, el('a', { href: '/' }, 'All channels')));
      return;
    }
    const channel = body.channel;
    const fields = namedFields(channel);
    document.title = channel.name + ' · airlab cloud';

    const lastInfo = el('span', { id: 'last-entry' });
    const liveInfo = el('span', { class: 'live', id: 'live' }, 'live, every ' + POLL_MS / 1000 + ' s');
    const charts = el('section', { class: 'charts', id: 'charts' });
    const tbody = el('tbody');
    const table = el('table', { id: 'entries' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Entry'),
        ...fields.map((f) => el('th', {}, f.name)), el('th', {}, 'Status'))),
      tbody);
    show(
      el('h1', {}, channel.name),
      channel.description ? el('p', { class: 'description' }, channel.description) : null,
      el('div', { class: 'meta' },
         el('span', {}, 'Channel ' + channel.id),
         key ? el('span', { class: 'badge private' }, 'private') : null,
         lastInfo, liveInfo, el('a', { href: '/' }, 'All channels')),
      fields.length ? charts : el('p', { class: 'muted' }, 'This channel has no named fields.'),
      el('h2', {}, 'Latest entries'),
      el('div', { class: 'card table-card' }, table));

    dashboard.charts = fields.map((field, i) => {
      const latest = el('span', { class: 'latest' });
      const empty = el('p', { class: 'muted empty' });
      const holder = el('div', { class: 'plot' });
      const card = el('div', { class: 'card chart-card', 'data-field': String(field.n) },
                      latest, el('h2', {}, field.name), empty, holder);
      charts.append(card);
      return { field: field.n, name: field.name, latest, empty, holder, plot: makeChart(field, i, holder) };
    });

    let lastId = null;
    const render = (feed) => {
      const feeds = feed.feeds;
      lastId = feed.channel.last_entry_id;
      lastInfo.textContent = lastId ? 'last entry ' + lastId + ' at ' + formatTime(feed.channel.updated_at) : 'no entries yet';
      for (const chart of dashboard.charts) {
        const value = latestValue(feeds, chart.field);
        chart.latest.replaceChildren(...(value === null ? [] : ['latest ', el('b', {}, value)]));
        const data = chartData(feeds, chart.field);
        const drawn = data[1].some((v) => v !== null);
        chart.empty.textContent = drawn ? '' : value === null ? 'No values yet.' : 'No numbers to draw: the values are text (see the table).';
        if (chart.plot) chart.plot.setData(data);
      }
      renderTable(tbody, fields, feeds);
    };
    render(body);

    window.addEventListener('resize', () => {
      for (const chart of dashboard.charts) {
        if (chart.plot) chart.plot.setSize({ width: Math.max(chart.holder.clientWidth, 300), height: 220 });
      }
    });

    // Poll the last entry (a few bytes) and fetch the feed again only when it changed.
    setInterval(async () => {
      try {
        const last = await getJson(lastUrl);
        const newest = typeof last.body === 'object' ? last.body.entry_id : null;
        liveInfo.className = 'live';
        liveInfo.textContent = 'live, every ' + POLL_MS / 1000 + ' s';
        if (newest === null || newest === lastId) return;
        const next = await getJson(feedUrl);
        if (next.status === 200) {
          render(next.body);
          dashboard.refreshes++;
        }
      } catch (_) {
        liveInfo.className = 'muted';
        liveInfo.textContent = 'server unreachable, retrying';
      }
    }, POLL_MS);
  }

  const match = location.pathname.match(/^\/channels\/(\d+)$/);
  if (match) showChannel(match[1]);
  else showList();
})();
