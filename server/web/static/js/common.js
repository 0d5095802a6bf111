/*
 * Shared helpers of the citizen pages: storage, the login token, JSON calls
 * over XMLHttpRequest, building DOM without HTML strings, time formatting.
 * ES5 only (Android 8 WebView, iOS 13 Safari, WeChat's browser).
 */
(function (root) {
  'use strict';

  var TOKEN_KEY = 'no1w.token';
  var API = '/api/v1';
  var NETWORK_MESSAGE = '网络连接不稳定,请检查网络后重试';
  var memory = {};

  /* localStorage throws in some private modes: fall back to memory for this visit. */
  function storageGet(key) {
    try { return root.localStorage.getItem(key); } catch (e) { return memory.hasOwnProperty(key) ? memory[key] : null; }
  }
  function storageSet(key, value) {
    try { root.localStorage.setItem(key, value); } catch (e) { memory[key] = value; }
  }
  function storageRemove(key) {
    try { root.localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
    delete memory[key];
  }
  function loadJson(key) {
    var raw = storageGet(key);
    if (!raw) return null;
    try { return JSON.parse(raw); } catch (e) { return null; }
  }
  function saveJson(key, value) { storageSet(key, JSON.stringify(value)); }

  function session() {
    var s = loadJson(TOKEN_KEY);
    if (!s || !s.token) return null;
    if (s.expires_at && Date.parse(s.expires_at) <= new Date().getTime()) { storageRemove(TOKEN_KEY); return null; }
    return s;
  }
  function saveSession(token, expiresAt, phone) { saveJson(TOKEN_KEY, { token: token, expires_at: expiresAt, phone: phone }); }
  function clearSession() { storageRemove(TOKEN_KEY); }

  function here() { return root.location.pathname + root.location.search; }
  function goLogin() { root.location.href = '/m/login?next=' + encodeURIComponent(here()); }

  /** The session, or off to the login page (the page's own state stays in storage). */
  function requireLogin() {
    var s = session();
    if (!s) { goLogin(); return null; }
    return s;
  }

  function parseBody(xhr) {
    try { return JSON.parse(xhr.responseText); } catch (e) { return null; }
  }

  /** What went wrong, in Chinese, from an error response: {status, message, errors, body}. */
  function problemOf(xhr) {
    if (!xhr.status) return { status: 0, network: true, message: NETWORK_MESSAGE, errors: [] };
    var body = parseBody(xhr) || {};
    var message = typeof body.detail === 'string' ? body.detail : '服务暂时不可用(' + xhr.status + '),请稍后重试';
    return { status: xhr.status, message: message, errors: body.errors || [], body: body, code: body.code };
  }

  /**
   * One JSON call. `opts`: body, headers, auth (default true), timeout (ms).
   * `done(problem, data, xhr)`; a 401 logs out and goes to the login page.
   */
  function api(method, path, opts, done) {
    opts = opts || {};
    var xhr = new XMLHttpRequest();
    xhr.open(method, API + path, true);
    xhr.timeout = opts.timeout || 20000;
    xhr.setRequestHeader('Accept', 'application/json');
    if (opts.auth !== false) {
      var s = session();
      if (s) xhr.setRequestHeader('Authorization', 'Bearer ' + s.token);
    }
    var headers = opts.headers || {};
    for (var name in headers) {
      if (headers.hasOwnProperty(name)) xhr.setRequestHeader(name, headers[name]);
    }
    if (opts.responseType) xhr.responseType = opts.responseType;
    var finished = false;
    function finish(problem, data) {
      if (finished) return;
      finished = true;
      if (problem && problem.status === 401 && opts.auth !== false) { clearSession(); goLogin(); return; }
      done(problem, data, xhr);
    }
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300) {
        finish(null, opts.responseType ? xhr.response : (xhr.status === 204 ? null : parseBody(xhr)));
      } else if (opts.responseType) {
        finish({ status: xhr.status, message: '加载失败,请稍后重试', errors: [] });
      } else {
        finish(problemOf(xhr));
      }
    };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () { finish(problemOf({ status: 0 })); };
    if (opts.body !== undefined) {
      xhr.setRequestHeader('Content-Type', 'application/json');
      xhr.send(JSON.stringify(opts.body));
    } else {
      xhr.send();
    }
    return xhr;
  }

  /** A random id for Idempotency-Key (made once per draft and kept). */
  function uuid() {
    var bytes = [], i;
    var c = root.crypto || root.msCrypto;
    if (c && c.getRandomValues) {
      var arr = new Uint8Array(16);
      c.getRandomValues(arr);
      for (i = 0; i < 16; i++) bytes.push(arr[i]);
    } else {
      for (i = 0; i < 16; i++) bytes.push(Math.floor(Math.random() * 256));
    }
    var hex = '';
    for (i = 0; i < 16; i++) hex += (bytes[i] + 0x100).toString(16).substring(1);
    return hex.substring(0, 8) + '-' + hex.substring(8, 12) + '-' + hex.substring(12, 16) + '-' + hex.substring(16, 20) + '-' + hex.substring(20);
  }

  /** An element with attributes and children (strings become text: never parsed as HTML). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    attrs = attrs || {};
    for (var key in attrs) {
      if (!attrs.hasOwnProperty(key) || attrs[key] === null || attrs[key] === undefined || attrs[key] === false) continue;
      if (key === 'text') node.appendChild(document.createTextNode(String(attrs[key])));
      else if (key === 'className') node.className = attrs[key];
      else node.setAttribute(key, attrs[key] === true ? '' : String(attrs[key]));
    }
    children = children || [];
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function byId(id) { return document.getElementById(id); }
  function setText(node, text) { if (node) node.textContent = text || ''; }
  function show(node, visible) { if (node) { if (visible) node.removeAttribute('hidden'); else node.setAttribute('hidden', ''); } }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /** An ISO instant as Yancheng local time (UTC+8, no DST), whatever zone the phone is in: "3月10日 17:30". */
  function formatTime(iso) {
    var ms = Date.parse(iso);
    if (isNaN(ms)) return '';
    var d = new Date(ms + 8 * 3600 * 1000);
    return (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日 ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }

  /** Today in Yancheng as YYYYMMDD (for the ID number's birth-date check). */
  function todayStamp() {
    var d = new Date(new Date().getTime() + 8 * 3600 * 1000);
    return d.getUTCFullYear() + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate());
  }

  function telHref(phone) { return 'tel:' + String(phone || '').replace(/[^0-9+]/g, ''); }

  function on(node, event, handler) { if (node) node.addEventListener(event, handler, false); }

  root.No1 = {
    api: api,
    uuid: uuid,
    el: el,
    byId: byId,
    on: on,
    setText: setText,
    show: show,
    formatTime: formatTime,
    todayStamp: todayStamp,
    telHref: telHref,
    session: session,
    saveSession: saveSession,
    clearSession: clearSession,
    requireLogin: requireLogin,
    loadJson: loadJson,
    saveJson: saveJson,
    storageGet: storageGet,
    storageSet: storageSet,
    storageRemove: storageRemove,
    NETWORK_MESSAGE: NETWORK_MESSAGE
  };
})(this);
