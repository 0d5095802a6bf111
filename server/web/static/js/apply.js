/*
 * 新车投保 / 非新车投保, step by step. The draft lives in localStorage and is
 * saved on every change, so a reload or a dropped connection loses nothing:
 * the typed fields, the step, the application created on the server and its
 * uploaded documents. The Idempotency-Keys are made once per draft and reused,
 * so pressing "提交" twice (or retrying after a timeout) makes one application.
 * ES5 only.
 */
(function (No1, V, Upload) {
  'use strict';

  var root = No1.byId('apply');
  var type = root.getAttribute('data-business-type');
  var consentVersion = root.getAttribute('data-consent-version');
  var session = No1.requireLogin();
  if (!session) return;

  var DRAFT_KEY = 'no1w.draft.' + (session.phone || 'me') + '.' + type;
  var FIELDS = ['name', 'id_number', 'phone', 'county_code', 'plate', 'vin', 'brand_model', 'engine_number', 'displacement_cc', 'power_kw'];
  var STEP_OF = { name: 1, id_number: 1, phone: 1, county_code: 1, plate: 2, vin: 2, brand_model: 2, engine_number: 2, displacement_cc: 2, power_kw: 2 };
  var API_FIELD = {
    'owner.name': 'name', 'owner.id_number': 'id_number', 'owner.phone': 'phone', county_code: 'county_code',
    'vehicle.plate': 'plate', 'vehicle.vin': 'vin', 'vehicle.brand_model': 'brand_model',
    'vehicle.engine_number': 'engine_number', 'vehicle.displacement_cc': 'displacement_cc', 'vehicle.power_kw': 'power_kw'
  };
  var msg = No1.byId('apply-msg');
  var docNodes = root.querySelectorAll('.doc');
  var widgets = {};
  var busy = false;

  function fresh() {
    return { v: 1, step: 1, f: { phone: session.phone || '' }, caseId: null, createKey: No1.uuid(), submitKey: No1.uuid(), createdWith: null, docs: {} };
  }
  var draft = No1.loadJson(DRAFT_KEY);
  if (!draft || draft.v !== 1) draft = fresh();
  function save() { No1.saveJson(DRAFT_KEY, draft); }

  function input(name) { return No1.byId(name); }
  function say(text, kind) { No1.setText(msg, text); msg.className = 'msg ' + (kind || 'info'); }
  function fieldError(name, text) {
    var node = input(name);
    No1.setText(No1.byId('err-' + name), text);
    if (!node) return;
    if (text) node.setAttribute('aria-invalid', 'true'); else node.removeAttribute('aria-invalid');
  }

  /* ---- the form's state, saved on every change ---- */
  for (var i = 0; i < FIELDS.length; i++) {
    (function (name) {
      var node = input(name);
      if (!node) return;
      if (draft.f[name] !== undefined) node.value = draft.f[name];
      var keep = function () { draft.f[name] = node.value; save(); };
      // Errors clear while typing and appear on leaving the field; never cleared on blur,
      // since a message vanishing as the finger lands would move the button being tapped.
      No1.on(node, 'input', function () { keep(); fieldError(name, ''); });
      No1.on(node, 'change', keep);
      No1.on(node, 'blur', function () { if (node.value) check(name, true); });
    })(FIELDS[i]);
  }

  /* ---- checks before anything is sent (same rules and words as the server) ---- */
  /** Check one field and show its message; `onlyShow` leaves a shown message alone when the value is fine. */
  function check(name, onlyShow) {
    var value = (input(name) || {}).value || '', r = { ok: true, value: value, message: '' };
    if (name === 'name') r = V.personName(value);
    else if (name === 'id_number') r = V.residentId(value, No1.todayStamp());
    else if (name === 'phone') r = V.mobile(value);
    else if (name === 'plate') r = V.plate(value);
    else if (name === 'vin') r = V.vin(value);
    else if (name === 'county_code' && !value) r = { ok: false, message: '请选择所在区县' };
    else if (name === 'brand_model') {
      value = value.replace(/^\s+|\s+$/g, '');
      r = value ? { ok: true, value: value } : { ok: false, message: '请填写品牌型号(见合格证或行驶证)' };
    } else if (name === 'displacement_cc' && value) {
      r = /^\s*[0-9]{1,5}\s*$/.test(value) && parseInt(value, 10) <= 20000 ? { ok: true, value: parseInt(value, 10) } : { ok: false, message: '排量请填写整数(毫升),如 110' };
    } else if (name === 'power_kw' && value) {
      r = /^\s*[0-9]{1,4}(\.[0-9]{1,2})?\s*$/.test(value) && parseFloat(value) <= 1000 ? { ok: true, value: value.replace(/\s/g, '') } : { ok: false, message: '功率请填写数字(千瓦),最多两位小数,如 1.2' };
    }
    if (!r.ok) fieldError(name, r.message);
    else if (!onlyShow) fieldError(name, '');
    return r;
  }

  function checkAll(names) {
    var values = {}, first = null;
    for (var j = 0; j < names.length; j++) {
      if (!input(names[j])) continue;
      var r = check(names[j]);
      if (!r.ok && !first) first = names[j];
      values[names[j]] = r.value;
    }
    if (first) { input(first).focus(); return null; }
    return values;
  }

  function vehicleValues() {
    var v = checkAll(['plate', 'vin', 'brand_model', 'engine_number', 'displacement_cc', 'power_kw']);
    if (!v) return null;
    if (!input('displacement_cc').value && !input('power_kw').value) {
      fieldError('power_kw', '请填写排量或功率(电动摩托车填功率)');
      input('power_kw').focus();
      return null;
    }
    return v;
  }

  function payload(o, v) {
    var engine = (input('engine_number').value || '').replace(/^\s+|\s+$/g, '');
    return {
      business_type: type, county_code: o.county_code,
      owner: { name: o.name, id_number: o.id_number, phone: o.phone },
      vehicle: {
        plate: type === 'renewal' ? v.plate : null, vin: v.vin, brand_model: v.brand_model,
        engine_number: engine || null,
        displacement_cc: input('displacement_cc').value ? v.displacement_cc : null,
        power_kw: input('power_kw').value ? v.power_kw : null
      }
    };
  }

  /* ---- steps ---- */
  function go(step) {
    draft.step = step;
    save();
    for (var s = 1; s <= 4; s++) No1.show(No1.byId('step-' + s), s === step);
    var items = No1.byId('steps').getElementsByTagName('li');
    for (var k = 0; k < items.length; k++) {
      var n = k + 1;
      items[k].className = n === step ? 'on' : (n < step ? 'done' : '');
      if (n === step) items[k].setAttribute('aria-current', 'step'); else items[k].removeAttribute('aria-current');
    }
    if (step === 4) summarize();
    window.scrollTo(0, 0);
  }

  function showServerErrors(problem) {
    var step = 0;
    for (var j = 0; j < (problem.errors || []).length; j++) {
      var name = API_FIELD[problem.errors[j].field];
      if (name && input(name)) { fieldError(name, problem.errors[j].message); step = step || STEP_OF[name]; }
    }
    var field = problem.body && problem.body.field && API_FIELD[problem.body.field];
    if (field && input(field)) { fieldError(field, problem.message); step = step || STEP_OF[field]; }
    if (step) { go(step); say('请按提示修改后再继续', 'error'); } else say(problem.message, 'error');
  }

  No1.on(No1.byId('step-1'), 'submit', function (e) {
    e.preventDefault();
    if (checkAll(['name', 'id_number', 'phone', 'county_code'])) { say('', 'info'); go(2); }
  });

  No1.on(No1.byId('step-2'), 'submit', function (e) {
    e.preventDefault();
    if (busy) return;
    var o = checkAll(['name', 'id_number', 'phone', 'county_code']);
    if (!o) { go(1); return; }
    var v = vehicleValues();
    if (!v) return;
    var body = payload(o, v), print = JSON.stringify(body);
    if (draft.caseId && draft.createdWith === print) { go(3); return; }
    if (draft.caseId) restart();
    busy = true;
    say('正在保存…', 'info');
    No1.api('POST', '/citizen/applications', { body: body, headers: { 'Idempotency-Key': draft.createKey } }, function (problem, data) {
      busy = false;
      if (problem) { showServerErrors(problem); return; }
      draft.caseId = data.id;
      draft.createdWith = print;
      save();
      say('', 'info');
      go(3);
    });
  });

  /** Owner or vehicle changed after the draft was saved: a new draft (its documents go with the old one). */
  function restart() {
    var old = draft.caseId;
    No1.api('POST', '/citizen/applications/' + old + '/cancel', { body: {} }, function () { /* best effort */ });
    draft.caseId = null;
    draft.createdWith = null;
    draft.docs = {};
    draft.createKey = No1.uuid();
    draft.submitKey = No1.uuid();
    save();
    for (var kind in widgets) if (widgets.hasOwnProperty(kind)) widgets[kind].reset();
    say('信息已修改,请重新上传材料', 'info');
  }

  var backs = root.querySelectorAll('[data-back]');
  for (var b = 0; b < backs.length; b++) {
    (function (btn) { No1.on(btn, 'click', function () { go(parseInt(btn.getAttribute('data-back'), 10)); }); })(backs[b]);
  }

  for (var d = 0; d < docNodes.length; d++) {
    (function (node) {
      var kind = node.getAttribute('data-kind');
      widgets[kind] = Upload.widget(node, {
        kind: kind,
        url: function () { return '/citizen/applications/' + draft.caseId + '/documents'; },
        onUploaded: function (doc) {
          draft.docs[kind] = doc ? doc.id : true;
          save();
          No1.setText(No1.byId('err-documents'), '');
        }
      });
    })(docNodes[d]);
  }

  function missingDocs() {
    var names = [];
    for (var j = 0; j < docNodes.length; j++) {
      if (!draft.docs[docNodes[j].getAttribute('data-kind')]) names.push(docNodes[j].getAttribute('data-name'));
    }
    return names;
  }

  No1.on(No1.byId('to-confirm'), 'click', function () {
    var missing = missingDocs();
    if (missing.length) { No1.setText(No1.byId('err-documents'), '还有' + missing.length + '项材料未上传:' + missing.join('、')); return; }
    go(4);
  });

  function summarize() {
    var list = No1.byId('summary'), county = input('county_code');
    while (list.firstChild) list.removeChild(list.firstChild);
    var rows = [['车主姓名', input('name').value], ['身份证号码', V.compact(input('id_number').value)], ['手机号码', input('phone').value],
      ['所在区县', county.options[county.selectedIndex] ? county.options[county.selectedIndex].text : '']];
    if (type === 'renewal') rows.push(['号牌号码', V.plate(input('plate').value).value || input('plate').value]);
    rows.push(['车架号(VIN)', V.compact(input('vin').value)], ['品牌型号', input('brand_model').value]);
    if (input('displacement_cc').value) rows.push(['排量', input('displacement_cc').value + ' 毫升']);
    if (input('power_kw').value) rows.push(['功率', input('power_kw').value + ' 千瓦']);
    rows.push(['已上传材料', (docNodes.length - missingDocs().length) + ' 项']);
    for (var j = 0; j < rows.length; j++) {
      list.appendChild(No1.el('dt', { text: rows[j][0] }));
      list.appendChild(No1.el('dd', { text: rows[j][1] }));
    }
  }

  No1.on(No1.byId('consent'), 'change', function () { No1.setText(No1.byId('err-consent'), ''); });

  No1.on(No1.byId('submit'), 'click', function () {
    if (busy) return;
    if (!No1.byId('consent').checked) { No1.setText(No1.byId('err-consent'), '请阅读并勾选同意书后再提交'); return; }
    var missing = missingDocs();
    if (missing.length) { go(3); No1.setText(No1.byId('err-documents'), '还有' + missing.length + '项材料未上传:' + missing.join('、')); return; }
    busy = true;
    No1.byId('submit').disabled = true;
    say('正在提交…', 'info');
    No1.api('POST', '/citizen/applications/' + draft.caseId + '/submit',
      { body: { consent: true, consent_version: consentVersion }, headers: { 'Idempotency-Key': draft.submitKey } },
      function (problem, data) {
        busy = false;
        No1.byId('submit').disabled = false;
        if (problem) { say(problem.network ? '提交失败:' + problem.message + '。您填写的内容已保存,可以再点“提交申请”。' : problem.message, 'error'); return; }
        finished(data);
      });
  });

  /** Submitted: the draft is done with; show the number, the member and its window phone. */
  function finished(app) {
    No1.storageRemove(DRAFT_KEY);
    say('', 'info');
    for (var s = 1; s <= 4; s++) No1.show(No1.byId('step-' + s), false);
    No1.show(No1.byId('steps'), false);
    No1.setText(No1.byId('r-number'), app.number);
    No1.setText(No1.byId('r-status'), app.status_label);
    No1.setText(No1.byId('r-deadline'), app.due_at ? No1.formatTime(app.due_at) + ' 前' : '分派后确定');
    No1.setText(No1.byId('r-member'), app.member_name ? '已由' + app.member_name + '承办' : '正在为您分派承办公司,请稍后在“查询投保记录”中查看');
    var tel = No1.byId('r-phone');
    if (app.window_phone) {
      tel.setAttribute('href', No1.telHref(app.window_phone));
      No1.setText(tel, '拨打窗口电话 ' + app.window_phone);
      No1.show(tel, true);
    }
    No1.show(No1.byId('result'), true);
    window.scrollTo(0, 0);
  }

  /* ---- back from a reload: ask the server what became of the draft ---- */
  function resume() {
    if (!draft.caseId) { go(draft.step || 1); return; }
    No1.api('GET', '/citizen/applications/' + draft.caseId, {}, function (problem, app) {
      if (problem && problem.status === 404) { draft.caseId = null; draft.createdWith = null; draft.docs = {}; go(Math.min(draft.step || 1, 2)); return; }
      if (problem) { say(problem.message, 'error'); go(draft.step || 1); return; }
      if (app.status !== 'draft') { finished(app); return; }
      var seen = {};
      for (var j = 0; j < app.documents.length; j++) {
        var doc = app.documents[j];
        seen[doc.kind] = doc;
      }
      draft.docs = {};
      for (var kind in widgets) {
        if (widgets.hasOwnProperty(kind) && seen[kind]) { draft.docs[kind] = seen[kind].id; widgets[kind].markUploaded(draft.caseId, seen[kind]); }
      }
      go(draft.step || 1);
    });
  }
  resume();
})(window.No1, window.No1Validators, window.No1Upload);
