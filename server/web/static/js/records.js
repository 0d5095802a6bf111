/*
 * 查询投保记录: every application of the logged-in phone with its progress,
 * the handling member and its window phone, and what to do next: supplement,
 * pay (link and QR code), open the e-policy, cancel, rate, complain.
 * Built with DOM calls (No1.el), never from HTML strings. ES5 only.
 */
(function (No1, Upload) {
  'use strict';

  if (!No1.requireLogin()) return;

  var el = No1.el;
  var list = No1.byId('record-list'), msg = No1.byId('records-msg');
  var KINDS = {};
  var infos = No1.byId('kind-info').getElementsByTagName('li');
  for (var i = 0; i < infos.length; i++) {
    KINDS[infos[i].getAttribute('data-kind')] = { name: infos[i].getAttribute('data-name'), hint: infos[i].getAttribute('data-hint') };
  }
  var OPEN = { submitted: 1, assigned: 1, reviewing: 1, supplement_requested: 1, escalated: 1, awaiting_payment: 1, paid: 1, offline: 1 };

  function say(text, kind) { No1.setText(msg, text); msg.className = 'msg ' + (kind || 'info'); }

  function statusClass(status) {
    if (status === 'completed') return 'status done';
    if (status === 'cancelled' || status === 'rejected' || status === 'draft') return 'status closed';
    if (status === 'supplement_requested' || status === 'awaiting_payment') return 'status act';
    return 'status';
  }

  function facts(rows) {
    var dl = el('dl', { className: 'facts cols' });
    for (var j = 0; j < rows.length; j++) {
      if (!rows[j][1]) continue;
      dl.appendChild(el('dt', { text: rows[j][0] }));
      dl.appendChild(el('dd', { text: rows[j][1] }));
    }
    return dl;
  }

  function messageBox() { return el('p', { className: 'msg', role: 'status', 'aria-live': 'polite' }); }
  function tell(box, text, kind) { No1.setText(box, text); box.className = 'msg ' + (kind || 'info'); }

  /** Re-read one application and redraw its card (after an action). */
  function refresh(id) {
    No1.api('GET', '/citizen/applications/' + id, {}, function (problem, app) {
      if (problem) { say(problem.message, 'error'); return; }
      var old = No1.byId('case-' + id);
      if (old) old.parentNode.replaceChild(card(app), old);
    });
  }

  function card(app) {
    var node = el('article', { className: 'card record', id: 'case-' + app.id, 'data-number': app.number }, [
      el('h2', {}, [app.number + ' ', el('span', { className: statusClass(app.status), text: app.status_label })]),
      facts([
        ['业务类型', app.business_type_label],
        ['车辆', app.plate || '新车(未上牌)'],
        ['车架号(VIN)', app.vin],
        ['品牌型号', app.brand_model],
        ['所在区县', app.county_name]
      ])
    ]);
    if (app.status === 'draft') {
      node.appendChild(el('p', { text: '尚未提交。' }));
      node.appendChild(el('a', { className: 'btn', href: '/m/apply?type=' + encodeURIComponent(app.business_type), text: '继续填写' }));
    }
    if (app.status === 'submitted' && !app.member_name) {
      node.appendChild(el('p', { className: 'handler', text: '正在为您分派承办公司,请稍后刷新查看' }));
    }
    if (app.member_name) {
      node.appendChild(el('p', { className: 'handler', text: '已由' + app.member_name + '承办' }));
      if (app.window_phone) {
        node.appendChild(el('a', { className: 'btn secondary window-phone', href: No1.telHref(app.window_phone), text: '拨打窗口电话 ' + app.window_phone }));
      }
    }
    if (app.due_at && OPEN[app.status]) {
      node.appendChild(el('p', { className: 'deadline', text: '办结时限:' + No1.formatTime(app.due_at) + ' 前' }));
    }
    if (app.status === 'supplement_requested') node.appendChild(supplementBox(app));
    if (app.closing_reason && (app.status === 'rejected' || app.status === 'offline')) {
      node.appendChild(el('section', { className: 'act-box' }, [
        el('h3', { text: app.status === 'rejected' ? '退回原因' : '转线下办理说明' }), el('p', { text: app.closing_reason })
      ]));
    }
    if (app.payment_link) node.appendChild(paymentBox(app));
    if (app.policy_link) node.appendChild(policyBox(app));
    if (app.status === 'completed') node.appendChild(ratingBox(app));
    if (app.progress && app.progress.length) node.appendChild(timeline(app));
    if (app.can_cancel && app.status !== 'draft') node.appendChild(cancelBox(app));
    if (app.status !== 'draft') node.appendChild(complaintBox(app));
    return node;
  }

  function timeline(app) {
    // Newest first: what happened last is what the applicant came to see.
    var ol = el('ol', { className: 'timeline' });
    for (var j = app.progress.length - 1; j >= 0; j--) {
      var p = app.progress[j];
      ol.appendChild(el('li', { className: j === app.progress.length - 1 ? 'latest' : '' }, [
        el('span', { text: p.label }), el('time', { datetime: p.at, text: No1.formatTime(p.at) })
      ]));
    }
    return el('section', { className: 'progress-box' }, [el('h3', { text: '办理进度(最新在上)' }), ol]);
  }

  /* ---- supplement: upload what the window asked for, right here ---- */
  function supplementBox(app) {
    var box = el('section', { className: 'supplement act-box' }, [el('h3', { text: '需要补充材料' })]);
    if (app.supplement_message) box.appendChild(el('p', { className: 'supplement-message', text: '窗口说明:' + app.supplement_message }));
    var since = '';
    for (var j = 0; j < app.progress.length; j++) if (app.progress[j].action === 'request_supplement') since = app.progress[j].at;
    var done = {}, kinds = app.supplement_kinds || [];
    for (var d = 0; d < app.documents.length; d++) {
      if (since && Date.parse(app.documents[d].created_at) >= Date.parse(since)) done[app.documents[d].kind] = app.documents[d];
    }
    var note = messageBox();
    var send = el('button', { type: 'button', className: 'btn', text: '提交补充材料' });
    var uploaded = function () { tell(note, '', 'info'); };
    for (var k = 0; k < kinds.length; k++) box.appendChild(uploadBox(app, kinds[k], done, uploaded));
    box.appendChild(note);
    box.appendChild(send);
    No1.on(send, 'click', function () {
      for (var m = 0; m < kinds.length; m++) {
        if (!done[kinds[m]]) { tell(note, '请先上传:' + (KINDS[kinds[m]] || { name: kinds[m] }).name, 'error'); return; }
      }
      send.disabled = true;
      tell(note, '正在提交…', 'info');
      No1.api('POST', '/citizen/applications/' + app.id + '/supplement', { body: {} }, function (problem) {
        send.disabled = false;
        if (problem) { tell(note, problem.message, 'error'); return; }
        refresh(app.id);
      });
    });
    return box;
  }

  function uploadBox(app, kind, done, uploaded) {
    var info = KINDS[kind] || { name: kind, hint: '' };
    var id = app.id + '-' + kind;
    var node = el('div', { className: 'doc', 'data-kind': kind }, [
      el('h3', { text: info.name }),
      el('p', { className: 'hint', text: info.hint }),
      el('img', { className: 'example', src: '/m/examples/' + kind + '.svg', alt: info.name + '示例图', width: 320, height: 210 }),
      el('img', { className: 'thumb', alt: '已上传的' + info.name, hidden: true }),
      el('p', { className: 'state', role: 'status', text: '未上传' }),
      el('div', { className: 'progress', hidden: true, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': info.name + '上传进度' }, [el('div', { className: 'fill' })]),
      el('p', { className: 'err', role: 'alert' }),
      el('div', { className: 'btn-row' }, [
        el('label', { className: 'btn', 'for': 'cam-' + id, text: '拍照' }),
        el('label', { className: 'btn secondary', 'for': 'pick-' + id, text: '从相册选择' })
      ]),
      el('input', { className: 'visually-hidden', type: 'file', id: 'cam-' + id, accept: 'image/*', capture: 'environment' }),
      el('input', { className: 'visually-hidden', type: 'file', id: 'pick-' + id, accept: 'image/*,application/pdf' }),
      el('button', { type: 'button', className: 'btn danger retry', hidden: true, text: '重新上传' })
    ]);
    var w = Upload.widget(node, {
      kind: kind,
      url: function () { return '/citizen/applications/' + app.id + '/documents'; },
      onUploaded: function (doc) { done[kind] = doc || true; uploaded(); }
    });
    if (done[kind]) w.markUploaded(app.id, done[kind]);
    return node;
  }

  /* ---- payment: the link and its QR code (drawn by the server) ---- */
  function paymentBox(app) {
    var box = el('section', { className: 'payment act-box' }, [
      el('h3', { text: '请缴费' }),
      app.premium ? el('p', { className: 'premium', text: '保费:' + app.premium + ' 元' }) : null,
      el('a', { className: 'btn payment-link', href: app.payment_link, rel: 'noopener noreferrer', text: '打开缴费链接' }),
      el('p', { className: 'hint', text: '也可以长按或截图保存下面的二维码,用微信扫一扫缴费。请只通过承办公司发来的链接缴费。' })
    ]);
    var img = el('img', { className: 'qr', alt: '缴费二维码', width: 220, height: 220 });
    box.appendChild(img);
    No1.api('GET', '/citizen/applications/' + app.id + '/payment-qr.svg', { responseType: 'blob' }, function (problem, blob) {
      if (!problem && blob) img.src = URL.createObjectURL(blob); else box.removeChild(img);
    });
    return box;
  }

  /* ---- e-policy: an insurer's link, or our own PDF that needs the login token ---- */
  function policyBox(app) {
    var link = el('a', { className: 'btn policy-link', href: app.policy_link, rel: 'noopener noreferrer', text: '查看电子保单' });
    var ours = app.policy_link.indexOf('/api/v1/citizen/applications/') >= 0;
    var note = messageBox();
    if (ours) {
      No1.on(link, 'click', function (e) {
        e.preventDefault();
        tell(note, '正在打开电子保单…', 'info');
        No1.api('GET', '/citizen/applications/' + app.id + '/policy', { responseType: 'blob', timeout: 60000 }, function (problem, blob) {
          if (problem) { tell(note, problem.message, 'error'); return; }
          tell(note, '', 'info');
          window.location.href = URL.createObjectURL(blob);
        });
      });
    }
    return el('section', { className: 'policy' }, [
      el('h3', { text: '电子保单' }),
      app.policy_number ? el('p', { text: '保单号:' + app.policy_number }) : null,
      link, note
    ]);
  }

  /* ---- cancel before payment: a second tap confirms ---- */
  function cancelBox(app) {
    var ask = el('button', { type: 'button', className: 'btn danger cancel', text: '撤销申请' });
    var sure = el('button', { type: 'button', className: 'btn danger cancel-confirm', hidden: true, text: '确认撤销' });
    var note = messageBox();
    No1.on(ask, 'click', function () { No1.show(ask, false); No1.show(sure, true); tell(note, '撤销后需重新申请。确定要撤销吗?', 'info'); });
    No1.on(sure, 'click', function () {
      sure.disabled = true;
      No1.api('POST', '/citizen/applications/' + app.id + '/cancel', { body: { version: app.version } }, function (problem) {
        sure.disabled = false;
        if (problem) { tell(note, problem.message, 'error'); return; }
        refresh(app.id);
      });
    });
    return el('section', {}, [note, ask, sure]);
  }

  /* ---- rating, once, after completion ---- */
  function ratingBox(app) {
    var box = el('section', { className: 'rating' }, [el('h3', { text: '服务评价' })]);
    No1.api('GET', '/citizen/applications/' + app.id + '/feedback', {}, function (problem, fb) {
      if (problem) return;
      if (fb.rating) {
        box.appendChild(el('p', { className: 'rated', text: '您的评价:' + fb.rating.stars + '星' + (fb.rating.comment ? ',' + fb.rating.comment : '') }));
        return;
      }
      box.appendChild(ratingForm(app, box));
    });
    return box;
  }

  function ratingForm(app, box) {
    var name = 'stars-' + app.id, labels = [];
    var group = el('fieldset', { className: 'stars' }, [el('legend', { className: 'label', text: '请为本次办理打分(1至5星)' })]);
    for (var s = 1; s <= 5; s++) {
      var radio = el('input', { type: 'radio', name: name, value: s, id: name + '-' + s });
      var label = el('label', { 'for': name + '-' + s }, [radio, el('span', { text: s + '星' })]);
      labels.push(label);
      group.appendChild(label);
    }
    No1.on(group, 'change', function () {
      for (var j = 0; j < labels.length; j++) labels[j].className = labels[j].firstChild.checked ? 'on' : '';
    });
    var comment = el('textarea', { id: 'comment-' + app.id, maxlength: 200 });
    var note = messageBox();
    var send = el('button', { type: 'submit', className: 'btn', text: '提交评价' });
    var form = el('form', { className: 'rating-form', novalidate: true }, [
      group, el('label', { 'for': 'comment-' + app.id, text: '意见建议(选填,200字以内)' }), comment, note, send
    ]);
    No1.on(form, 'submit', function (e) {
      e.preventDefault();
      var stars = 0;
      for (var j = 0; j < labels.length; j++) if (labels[j].firstChild.checked) stars = j + 1;
      if (!stars) { tell(note, '请选择1至5星', 'error'); return; }
      send.disabled = true;
      No1.api('POST', '/citizen/applications/' + app.id + '/rating', { body: { stars: stars, comment: comment.value } }, function (problem, r) {
        send.disabled = false;
        if (problem) { tell(note, problem.message, 'error'); return; }
        box.removeChild(form);
        box.appendChild(el('p', { className: 'rated', text: '感谢您的评价:' + r.stars + '星' }));
      });
    });
    return form;
  }

  /* ---- complaint: goes to the association, with the supervision phone as the other way ---- */
  function complaintBox(app) {
    var text = el('textarea', { id: 'complaint-' + app.id, maxlength: 500 });
    var note = messageBox();
    var send = el('button', { type: 'submit', className: 'btn', text: '提交投诉' });
    var form = el('form', { className: 'complaint-form', novalidate: true }, [
      el('label', { 'for': 'complaint-' + app.id, text: '投诉内容(500字以内)' }), text, note, send
    ]);
    var phone = No1.byId('records').getAttribute('data-supervision-phone');
    No1.on(form, 'submit', function (e) {
      e.preventDefault();
      var words = text.value.replace(/^\s+|\s+$/g, '');
      if (words.length < 5) { tell(note, '请写明投诉的事情(至少5个字)', 'error'); return; }
      send.disabled = true;
      No1.api('POST', '/citizen/applications/' + app.id + '/complaints', { body: { text: words } }, function (problem) {
        send.disabled = false;
        if (problem) { tell(note, problem.message, 'error'); return; }
        text.value = '';
        tell(note, '投诉已提交,盐城市保险行业协会将核实处理。', 'info');
      });
    });
    return el('details', { className: 'complaint' }, [
      el('summary', { text: '我要投诉' }),
      el('p', { className: 'hint' }, ['也可以拨打监督电话 ', el('a', { href: No1.telHref(phone), text: phone })]),
      form
    ]);
  }

  function load() {
    say('正在加载…', 'info');
    No1.api('GET', '/citizen/applications', {}, function (problem, apps) {
      if (problem) { say(problem.message, 'error'); return; }
      say('', 'info');
      while (list.firstChild) list.removeChild(list.firstChild);
      No1.show(No1.byId('records-empty'), !apps.length);
      for (var j = 0; j < apps.length; j++) list.appendChild(card(apps[j]));
    });
  }

  No1.on(No1.byId('reload'), 'click', load);
  No1.on(No1.byId('logout'), 'click', function () {
    No1.api('DELETE', '/citizen/sessions/current', {}, function () {
      No1.clearSession();
      // Unsent drafts hold an ID number: a shared phone should not keep them after logging out.
      var keys = [];
      try {
        for (var j = 0; j < window.localStorage.length; j++) keys.push(window.localStorage.key(j));
      } catch (e) { keys = []; }
      for (var k = 0; k < keys.length; k++) if (keys[k] && keys[k].indexOf('no1w.draft.') === 0) No1.storageRemove(keys[k]);
      window.location.href = '/m/';
    });
  });
  load();
})(window.No1, window.No1Upload);
