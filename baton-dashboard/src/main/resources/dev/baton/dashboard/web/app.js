// The Baton dashboard page: vanilla JS, no build step. Reads the JSON API, listens to
// /api/events (server-sent events) for live numbers, and POSTs actions with the CSRF token.
'use strict';

(function () {
  const HISTORY = 120; // chart points kept
  const PROCESS_LIMIT = 500; // processes listed
  const state = {
    csrf: document.querySelector('meta[name="baton-csrf"]').content || '',
    view: 'overview',
    previous: null, // the last snapshot, for rates
    points: [], // {at, commands, tasks}: rates per second between two snapshots
    events: null,
    sessionStale: false, // the live stream broke since the session (CSRF token) was last read
    sessionRefreshing: false,
    reconnectTimer: null,
    lastSideRefresh: 0,
    refreshing: false, // a view refresh is in flight (live events never pile requests up)
    bootTimer: null,
    bootFailed: false, // the error banner shows why the page could not open yet
  };

  const $ = (id) => document.getElementById(id);

  // ---- errors: shown on the page, never swallowed ----
  function showError(message) {
    $('error-text').textContent = message;
    $('error').hidden = false;
  }
  $('error-close').addEventListener('click', () => { $('error').hidden = true; });

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(method, path) {
    const init = { method, credentials: 'same-origin', headers: {} };
    if (method === 'POST') init.headers['X-Baton-CSRF'] = state.csrf;
    const response = await fetch(path, init);
    let body = null;
    const text = await response.text();
    if (text) {
      try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
    }
    if (!response.ok) {
      const message = body && body.error ? body.error : response.status + ' ' + response.statusText;
      throw new ApiError(response.status, method + ' ' + path + ' failed: ' + message);
    }
    return body;
  }

  // ---- sign-in ----
  function showLogin() {
    clearTimeout(state.reconnectTimer);
    if (state.events) { state.events.close(); state.events = null; }
    $('main').hidden = true;
    $('login').hidden = false;
    $('live-status').textContent = 'signed out';
    $('live-status').className = 'status down';
  }

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const response = await fetch('/api/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: $('login-token').value }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.error || 'sign-in failed: ' + response.status);
      }
      $('login-token').value = '';
      $('error').hidden = true;
      await boot();
    } catch (e) {
      showError(e.message);
    }
  });

  // ---- helpers to build rows without innerHTML ----
  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function actionButton(td, label, className, testId, onClick) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = className;
    button.textContent = label;
    button.dataset.testid = testId;
    button.addEventListener('click', () => onClick(button));
    td.appendChild(button);
  }

  // Rows are rebuilt only when their item changed: an unchanged row keeps its element, so a button
  // under the pointer stays put while live updates refresh the rest of the table. An empty list
  // shows the table's data-empty text in one row, so "none" never looks like "not loaded".
  function fill(tableId, items, build, key) {
    const table = $(tableId);
    const body = table.tBodies[0];
    if (items.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'empty';
      tr.dataset.testid = 'empty';
      const td = cell(tr, table.dataset.empty || 'None.');
      td.colSpan = table.tHead.rows[0].cells.length;
      body.replaceChildren(tr);
      return;
    }
    const old = new Map();
    for (const tr of body.rows) old.set(tr.dataset.key, tr);
    const rows = items.map((item, index) => {
      const signature = JSON.stringify(item);
      const rowKey = key ? String(key(item)) : String(index);
      const existing = old.get(rowKey);
      if (existing && existing.dataset.signature === signature) return existing;
      const tr = document.createElement('tr');
      build(tr, item);
      tr.dataset.key = rowKey;
      tr.dataset.signature = signature;
      return tr;
    });
    body.replaceChildren(...rows);
  }

  function time(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return d.toLocaleTimeString();
  }

  function number(n) {
    return Number(n).toLocaleString();
  }

  // ---- overview ----
  function taskAttempts(snapshot) {
    const t = snapshot.tasks;
    return t.succeeded + t.failed + t.retried + t.deadLettered;
  }

  function onSnapshot(snapshot) {
    $('node-name').textContent = snapshot.node;
    $('stat-commands').textContent = number(snapshot.commandsDispatched);
    $('stat-ready').textContent = number(snapshot.readyQueue);
    $('stat-workers').textContent = number(snapshot.schedulerWorkers);
    $('stat-tasks-sent').textContent = number(snapshot.tasks.sent);
    $('stat-tasks-succeeded').textContent = number(snapshot.tasks.succeeded);
    $('stat-tasks-failed').textContent = number(snapshot.tasks.failed) + ' / ' + number(snapshot.tasks.retried);
    $('stat-tasks-dead').textContent = number(snapshot.tasks.deadLettered);

    const previous = state.previous;
    if (previous) {
      const seconds = (Date.parse(snapshot.at) - Date.parse(previous.at)) / 1000;
      if (seconds > 0) {
        const commands = (snapshot.commandsDispatched - previous.commandsDispatched) / seconds;
        const tasks = (taskAttempts(snapshot) - taskAttempts(previous)) / seconds;
        state.points.push({ at: Date.parse(snapshot.at), commands: Math.max(0, commands), tasks: Math.max(0, tasks) });
        if (state.points.length > HISTORY) state.points.shift();
        $('stat-commands-rate').textContent = commands.toFixed(1);
        $('stat-tasks-rate').textContent = tasks.toFixed(1);
        drawChart();
      }
    }
    state.previous = snapshot;

    const byState = Object.entries(snapshot.processesByState).sort((a, b) => a[0].localeCompare(b[0]));
    fill('processes-by-state', byState, (tr, [name, count]) => {
      tr.dataset.state = name;
      cell(tr, name);
      cell(tr, number(count), 'num');
    });

    refreshActiveView();
  }

  function drawChart() {
    const canvas = $('throughput-chart');
    canvas.dataset.points = String(state.points.length);
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);

    const styles = getComputedStyle(document.documentElement);
    const left = 48, right = 8, top = 8, bottom = 20;
    const w = width - left - right, h = height - top - bottom;
    let max = 1;
    for (const p of state.points) max = Math.max(max, p.commands, p.tasks);
    max = niceCeiling(max);

    g.strokeStyle = styles.getPropertyValue('--line');
    g.fillStyle = styles.getPropertyValue('--muted');
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = top + h - (h * i) / 4;
      g.beginPath(); g.moveTo(left, y); g.lineTo(left + w, y); g.stroke();
      g.fillText(formatRate((max * i) / 4), 4, y + 4);
    }
    // The x axis is time: the newest point at the right edge ("now"), the oldest labelled with its
    // age, since the sample interval is the node's setting.
    const points = state.points;
    if (points.length > 0) {
      const newest = points[points.length - 1].at;
      const firstX = left + (w * (HISTORY - points.length)) / (HISTORY - 1);
      g.textAlign = 'right';
      g.fillText('now', left + w, height - 4);
      // Labelled only where it cannot run into "now".
      if (points.length > 1 && left + w - firstX > 90) {
        g.textAlign = points.length === HISTORY ? 'left' : 'center';
        g.fillText(formatAge(newest - points[0].at), firstX, height - 4);
      }
      g.textAlign = 'left';
    } else {
      g.fillText('waiting for the first two samples…', left + 8, top + h / 2);
    }

    const series = [['commands', styles.getPropertyValue('--accent')], ['tasks', styles.getPropertyValue('--tasks')]];
    for (const [key, color] of series) {
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      state.points.forEach((p, i) => {
        const x = left + (w * (i + HISTORY - state.points.length)) / (HISTORY - 1);
        const y = top + h - (h * p[key]) / max;
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    }
  }

  function niceCeiling(value) {
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
    return 10 * power;
  }

  function formatAge(millis) {
    const seconds = Math.round(millis / 1000);
    if (seconds < 60) return seconds + ' s ago';
    const minutes = Math.floor(seconds / 60), rest = seconds % 60;
    return minutes + ' min' + (rest ? ' ' + rest + ' s' : '') + ' ago';
  }

  function formatRate(v) {
    if (v === 0) return '0';
    return v >= 1000 ? (v / 1000).toFixed(1) + 'k' : v.toFixed(v < 10 ? 1 : 0);
  }

  async function refreshQueuesAndWorkers() {
    const [queues, workers] = await Promise.all([api('GET', '/api/queues'), api('GET', '/api/workers')]);
    fill('queues-table', queues, (tr, q) => {
      tr.dataset.queue = q.queue;
      cell(tr, q.queue, 'mono');
      cell(tr, number(q.ready), 'num');
      cell(tr, number(q.delayed), 'num');
      cell(tr, number(q.unacked), 'num');
      cell(tr, number(q.deadLetters), 'num');
    });
    fill('workers-table', workers, (tr, w) => {
      cell(tr, w.workerId, 'mono');
      cell(tr, (w.queues || []).join(', '), 'mono');
      cell(tr, number(w.busy), 'num');
      cell(tr, number(w.capacity), 'num');
      cell(tr, time(w.at));
    });
  }

  // ---- processes ----
  async function refreshProcesses() {
    const processes = await api('GET', '/api/processes?limit=' + PROCESS_LIMIT);
    $('processes-count').textContent = processes.length < PROCESS_LIMIT
      ? '(' + processes.length + ')' : '(the first ' + PROCESS_LIMIT + ')';
    fill('processes-table', processes, (tr, p) => {
      tr.dataset.testid = 'process-row';
      tr.dataset.pid = String(p.id);
      cell(tr, p.pid, 'mono');
      cell(tr, p.type, 'mono');
      cell(tr, p.state, 'state');
      cell(tr, number(p.steps), 'num');
      actionButton(cell(tr, ''), 'Terminate', 'action danger', 'terminate-' + p.id, (b) => terminate(p, b));
    }, (p) => p.id);
  }

  async function terminate(process, button) {
    button.disabled = true;
    try {
      const result = await api('POST', '/api/processes/' + process.id + '/terminate');
      if (!result.terminated) showError('process ' + process.pid + ' had already ended');
    } catch (e) {
      showError(e.message);
    } finally {
      button.disabled = false;
    }
    await refreshProcesses().catch((e) => showError(e.message));
  }

  // ---- tasks ----
  function onTasks(tasks) {
    fill('tasks-table', tasks, (tr, t) => {
      tr.dataset.testid = 'task-row';
      tr.dataset.taskId = t.id;
      tr.dataset.state = t.state;
      tr.dataset.attempt = String(t.attempt);
      tr.dataset.at = t.at;
      if (t.state === 'FAILED' || t.state === 'DEAD' || t.errorCode) tr.className = 'failed';
      cell(tr, t.name, 'mono');
      cell(tr, t.id, 'mono');
      cell(tr, t.state, 'state');
      cell(tr, t.attempt, 'num');
      cell(tr, t.millis < 0 ? '…' : number(t.millis), 'num');
      cell(tr, t.traceId, 'mono');
      cell(tr, t.error ? (t.errorCode + ': ' + t.error) : '', 'error-text');
      cell(tr, time(t.at));
    }, (t) => t.id);
  }

  async function refreshDeadLetters() {
    const letters = await api('GET', '/api/dead-letters?limit=200');
    fill('dead-letters-table', letters, (tr, d) => {
      tr.dataset.testid = 'dead-letter-row';
      tr.dataset.id = d.id;
      tr.className = 'failed';
      cell(tr, d.id, 'mono');
      cell(tr, d.queue, 'mono');
      cell(tr, d.task, 'mono');
      cell(tr, d.callId, 'mono');
      cell(tr, d.errorCode + ': ' + d.error, 'error-text');
      cell(tr, time(d.at));
      actionButton(cell(tr, ''), 'Retry', 'action', 'retry-' + d.id, (b) => retry(d, b));
    }, (d) => d.id);
  }

  async function retry(letter, button) {
    button.disabled = true;
    try {
      const result = await api('POST', '/api/dead-letters/' + encodeURIComponent(letter.id) + '/retry');
      if (!result.retried) showError('dead letter ' + letter.id + ' was already retried or discarded');
    } catch (e) {
      showError(e.message);
    } finally {
      button.disabled = false;
    }
    await Promise.all([
      refreshDeadLetters(),
      api('GET', '/api/tasks?limit=100').then(onTasks),
    ]).catch((e) => showError(e.message));
  }

  // ---- views ----
  function refreshActiveView() {
    if (state.refreshing) return;
    let work;
    if (state.view === 'processes') {
      work = refreshProcesses();
    } else if (state.view === 'tasks') {
      work = refreshDeadLetters();
    } else {
      const now = Date.now();
      if (now - state.lastSideRefresh < 2000) return;
      state.lastSideRefresh = now;
      work = refreshQueuesAndWorkers();
    }
    state.refreshing = true;
    work.catch(handleFailure).finally(() => { state.refreshing = false; });
  }

  function show(view) {
    state.view = view;
    for (const tab of document.querySelectorAll('.tab')) tab.classList.toggle('active', tab.dataset.view === view);
    for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== 'view-' + view;
    state.lastSideRefresh = 0;
    state.refreshing = false; // the new view's refresh must not wait for the old one's
    refreshActiveView();
    if (view === 'overview') drawChart();
  }
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => show(tab.dataset.view));

  function handleFailure(e) {
    if (e instanceof ApiError && e.status === 401) {
      showLogin();
    } else {
      showError(e.message);
    }
  }

  function bootFailed(e) {
    state.bootFailed = true;
    handleFailure(e);
  }

  // ---- live stream ----
  // The browser reconnects a stream that broke by itself, but gives up for good when the answer is
  // not a stream (401 after the token changed, 503 when too many are open): then the page asks the
  // session what is wrong and either signs out or tries again a little later. After any break the
  // node may have restarted with a new CSRF token, so the session is read again on reopening.
  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.events) state.events.close();
    const events = new EventSource('/api/events');
    state.events = events;
    events.addEventListener('open', () => {
      if (state.sessionStale) refreshSession(); else showLive();
    });
    events.addEventListener('snapshot', (e) => {
      onSnapshot(JSON.parse(e.data));
      // Fresh numbers from the stream: live again, once the session is current.
      if (state.sessionStale) refreshSession(); else showLive();
    });
    events.addEventListener('tasks', (e) => onTasks(JSON.parse(e.data)));
    // The stream is open but the node failed to answer this sample: the numbers shown are old.
    events.addEventListener('problem', (e) => {
      const problem = JSON.parse(e.data);
      $('live-status').textContent = 'node not answering';
      $('live-status').className = 'status down';
      $('live-status').title = problem.error;
    });
    events.addEventListener('error', () => {
      state.sessionStale = true;
      $('live-status').textContent = 'reconnecting…';
      $('live-status').className = 'status down';
      if (events.readyState === EventSource.CLOSED && state.events === events) {
        readSession().then(
          () => { state.reconnectTimer = setTimeout(connect, 3000); },
          (e) => {
            if (e instanceof ApiError && e.status === 401) showLogin();
            else state.reconnectTimer = setTimeout(connect, 3000);
          });
      }
    });
  }

  function showLive() {
    $('live-status').textContent = 'live';
    $('live-status').className = 'status live';
    $('live-status').title = '';
  }

  // Reads the session again after the stream broke (one read at a time), then shows the page live.
  function refreshSession() {
    if (state.sessionRefreshing) return;
    state.sessionRefreshing = true;
    readSession()
      .then(() => { state.sessionStale = false; showLive(); }, handleFailure)
      .finally(() => { state.sessionRefreshing = false; });
  }

  async function readSession() {
    const session = await api('GET', '/api/session');
    state.csrf = session.csrf;
    $('node-name').textContent = session.node;
  }

  // A node that fails to answer when the page loads (500, or the node not up yet) is asked again
  // every 3 s; the page opens as soon as it answers.
  async function boot() {
    clearTimeout(state.bootTimer);
    try {
      await readSession();
    } catch (e) {
      bootFailed(e);
      if (!(e instanceof ApiError && e.status === 401)) {
        state.bootTimer = setTimeout(boot, 3000);
      }
      return;
    }
    if (state.bootFailed) $('error').hidden = true;
    state.bootFailed = false;
    $('login').hidden = true;
    $('main').hidden = false;
    try {
      onSnapshot(await api('GET', '/api/snapshot'));
      onTasks(await api('GET', '/api/tasks?limit=100'));
    } catch (e) {
      handleFailure(e);
    }
    connect();
  }

  boot();
})();
