/*
 * Login by phone and SMS code. The resend countdown survives a reload
 * (sessionStorage) so the button does not invite a 429; the server's own
 * limits and messages still decide.
 */
(function (No1, V) {
  'use strict';

  var RESEND_KEY = 'no1w.resendUntil';
  var phone = No1.byId('phone'), code = No1.byId('code');
  var sendBtn = No1.byId('send-code'), form = No1.byId('login-form');
  var phoneErr = No1.byId('phone-error'), codeErr = No1.byId('code-error'), msg = No1.byId('login-msg');
  var timer = null, busy = false;

  function fieldError(input, errNode, text) {
    No1.setText(errNode, text);
    if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }

  function say(text, kind) {
    No1.setText(msg, text);
    msg.className = 'msg ' + (kind || 'info');
  }

  /** Where to go after logging in: only our own pages, never another site. */
  function nextPage() {
    var m = /[?&]next=([^&]*)/.exec(window.location.search);
    var target = m ? decodeURIComponent(m[1]) : '';
    if (!/^\/m\//.test(target) || /^\/\//.test(target) || target.indexOf('\\') >= 0) target = '/m/records';
    return target;
  }

  function resendUntil() {
    var until = 0;
    try { until = parseInt(window.sessionStorage.getItem(RESEND_KEY) || '0', 10) || 0; } catch (e) { until = 0; }
    return until;
  }

  function startCountdown(seconds) {
    var until = new Date().getTime() + seconds * 1000;
    try { window.sessionStorage.setItem(RESEND_KEY, String(until)); } catch (e) { /* countdown only for this view */ }
    tick();
  }

  function tick() {
    if (timer) { clearTimeout(timer); timer = null; }
    var left = Math.ceil((resendUntil() - new Date().getTime()) / 1000);
    if (left > 0) {
      sendBtn.disabled = true;
      sendBtn.textContent = '重新获取(' + left + '秒)';
      timer = setTimeout(tick, 1000);
    } else {
      sendBtn.disabled = false;
      sendBtn.textContent = resendUntil() ? '重新获取' : '获取验证码';
    }
  }

  function checkedPhone() {
    var r = V.mobile(phone.value);
    fieldError(phone, phoneErr, r.message);
    return r.ok ? r.value : null;
  }

  function applyFieldErrors(problem) {
    var shown = false;
    for (var i = 0; i < problem.errors.length; i++) {
      var e = problem.errors[i];
      if (e.field === 'phone') { fieldError(phone, phoneErr, e.message); shown = true; }
      if (e.field === 'code') { fieldError(code, codeErr, e.message); shown = true; }
    }
    return shown;
  }

  No1.on(sendBtn, 'click', function () {
    if (busy) return;
    var number = checkedPhone();
    if (!number) { phone.focus(); return; }
    busy = true;
    sendBtn.disabled = true;
    say('正在发送验证码…', 'info');
    No1.api('POST', '/citizen/login-codes', { auth: false, body: { phone: number } }, function (problem, data, xhr) {
      busy = false;
      if (!problem) {
        say('验证码已发送至 ' + number.substring(0, 3) + '****' + number.substring(7) + ',' + Math.round(data.expires_in / 60) + '分钟内有效', 'info');
        startCountdown(data.resend_after);
        code.focus();
        return;
      }
      if (problem.status === 429) {
        var wait = parseInt(xhr.getResponseHeader('Retry-After') || (problem.body && problem.body.retry_after) || '60', 10);
        say(problem.message, 'error');
        startCountdown(wait);
        return;
      }
      if (!applyFieldErrors(problem)) say(problem.message, 'error'); else say('', 'info');
      tick();
    });
  });

  // Errors clear while typing, not on blur: a message vanishing under the finger
  // would move the button being tapped.
  No1.on(phone, 'input', function () { fieldError(phone, phoneErr, ''); });
  No1.on(phone, 'blur', function () { if (phone.value && !V.mobile(phone.value).ok) checkedPhone(); });
  No1.on(code, 'input', function () { fieldError(code, codeErr, ''); });

  No1.on(form, 'submit', function (event) {
    event.preventDefault();
    if (busy) return;
    var number = checkedPhone();
    var typed = V.compact(code.value);
    var codeProblem = /^[0-9]{6}$/.test(typed) ? '' : '验证码应为6位数字,请核对短信后重新输入';
    fieldError(code, codeErr, codeProblem);
    if (!number) { phone.focus(); return; }
    if (codeProblem) { code.focus(); return; }
    busy = true;
    No1.byId('login-btn').disabled = true;
    say('正在登录…', 'info');
    No1.api('POST', '/citizen/sessions', { auth: false, body: { phone: number, code: typed } }, function (problem, data) {
      busy = false;
      No1.byId('login-btn').disabled = false;
      if (!problem) {
        No1.saveSession(data.token, data.expires_at, number);
        say('登录成功,正在跳转…', 'info');
        window.location.href = nextPage();
        return;
      }
      say('', 'info');
      if (problem.status === 400 || !applyFieldErrors(problem)) {
        if (problem.network || problem.status >= 429) say(problem.message, 'error');
        else fieldError(code, codeErr, problem.message);
      }
      code.focus();
    });
  });

  var known = No1.session();
  if (known && known.phone) phone.value = known.phone;
  tick();
})(window.No1, window.No1Validators);
