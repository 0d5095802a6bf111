/*
 * One document upload box: photo from the camera or the album, shrunk on the
 * phone (longest side 1600 px, JPEG 0.85: a 4 MB photo becomes ~300 KB, which
 * is what a weak rural connection can carry), sent with a progress bar, and
 * a retry button that resends the same shrunk photo when the network drops.
 * ES5 only.
 */
(function (root, No1) {
  'use strict';

  var MAX_SIDE = 1600;
  var QUALITY = 0.85;
  var NOT_A_PHOTO = '只能上传照片(JPG、PNG等图片)或PDF文件,您选择的文件不是图片,请重新拍照或选择';

  function dataUrlToBlob(dataUrl) {
    var parts = dataUrl.split(','), bytes = atob(parts[1]), arr = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) arr[i] = bytes.charCodeAt(i);
    return new Blob([arr], { type: 'image/jpeg' });
  }

  /** The photo as a smaller JPEG; anything the browser cannot draw goes as it is and the server decides. */
  function shrink(file, done) {
    if (!/^image\//.test(file.type) || !root.URL || !URL.createObjectURL) { done(file); return; }
    var url = URL.createObjectURL(file);
    var img = new Image();
    img.onload = function () {
      var w = img.naturalWidth || img.width, h = img.naturalHeight || img.height;
      var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      var canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var g = canvas.getContext('2d');
      g.fillStyle = '#fff'; // a transparent PNG would turn black in JPEG
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      var pick = function (blob) {
        // Already small: keep the original rather than a re-encoded copy that is bigger.
        if (!blob || (scale === 1 && file.type === 'image/jpeg' && file.size <= blob.size)) done(file);
        else done(blob);
      };
      if (canvas.toBlob) canvas.toBlob(pick, 'image/jpeg', QUALITY);
      else pick(dataUrlToBlob(canvas.toDataURL('image/jpeg', QUALITY)));
    };
    img.onerror = function () { URL.revokeObjectURL(url); done(file); };
    img.src = url;
  }

  function isAcceptable(file) {
    return !file.type || /^image\//.test(file.type) || file.type === 'application/pdf';
  }

  /**
   * Wire the upload box `node` (a .doc element of the page). `opts`:
   *   url()         the upload path under /api/v1 (the draft may be created later)
   *   kind          the document kind
   *   onUploaded(doc)
   */
  function widget(node, opts) {
    var q = function (sel) { return node.querySelector(sel); };
    var state = q('.state'), err = q('.err'), bar = q('.progress'), fill = q('.progress .fill');
    var retry = q('.retry'), thumb = q('.thumb');
    var pending = null, busy = false;

    function setState(text, ok) {
      state.textContent = text;
      state.className = 'state' + (ok ? ' ok' : '');
      // Once a photo is in, it replaces the example picture (a shorter page to scroll).
      node.className = node.className.replace(/\s*\buploaded\b/g, '') + (ok ? ' uploaded' : '');
    }
    function setProgress(pct) {
      fill.style.width = pct + '%';
      bar.setAttribute('aria-valuenow', String(pct));
    }
    function showThumb(blob) {
      if (blob && /^image\//.test(blob.type || 'image/jpeg') && root.URL && URL.createObjectURL) {
        thumb.src = URL.createObjectURL(blob);
        No1.show(thumb, true);
      } else {
        No1.show(thumb, false);
      }
    }

    function send(blob) {
      busy = true;
      pending = blob;
      No1.show(retry, false);
      No1.setText(err, '');
      No1.show(bar, true);
      setProgress(0);
      setState('正在上传…', false);
      var form = new FormData();
      form.append('kind', opts.kind);
      form.append('file', blob, blob.name || 'photo.jpg');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1' + opts.url(), true);
      xhr.timeout = 120000;
      var s = No1.session();
      if (s) xhr.setRequestHeader('Authorization', 'Bearer ' + s.token);
      xhr.setRequestHeader('Accept', 'application/json');
      if (xhr.upload) {
        xhr.upload.onprogress = function (e) {
          if (e.lengthComputable) setProgress(Math.min(99, Math.round(e.loaded * 100 / e.total)));
        };
      }
      var ended = false;
      function end(ok, message, canRetry, doc) {
        if (ended) return;
        ended = true;
        busy = false;
        No1.show(bar, false);
        if (ok) {
          pending = null;
          setState('已上传', true);
          showThumb(blob);
          if (opts.onUploaded) opts.onUploaded(doc);
          return;
        }
        setState('上传失败', false);
        No1.setText(err, message);
        No1.show(retry, canRetry);
      }
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 201 || xhr.status === 200) { setProgress(100); end(true, '', false, body); return; }
        if (xhr.status === 401) { No1.clearSession(); end(false, '登录已过期,请重新登录后再上传', false); return; }
        var message = body && typeof body.detail === 'string' ? body.detail : '上传失败(' + xhr.status + '),请重试';
        // A refused file (wrong type, too large, unreadable) needs a new photo, not a resend.
        end(false, message, xhr.status >= 500 || xhr.status === 429);
      };
      xhr.onerror = xhr.ontimeout = function () { end(false, '上传失败:' + No1.NETWORK_MESSAGE, true); };
      xhr.send(form);
    }

    function chosen(input) {
      var file = input.files && input.files[0];
      if (!file || busy) return;
      input.value = '';
      No1.setText(err, '');
      if (!isAcceptable(file)) {
        setState('未上传', false);
        No1.setText(err, NOT_A_PHOTO);
        No1.show(retry, false);
        return;
      }
      setState('正在处理照片…', false);
      shrink(file, send);
    }

    var inputs = node.querySelectorAll('input[type=file]');
    for (var i = 0; i < inputs.length; i++) {
      (function (input) { No1.on(input, 'change', function () { chosen(input); }); })(inputs[i]);
    }
    No1.on(retry, 'click', function () { if (pending && !busy) send(pending); });

    return {
      /** Show a document uploaded earlier (restored draft): its thumbnail comes from the server. */
      markUploaded: function (caseId, doc) {
        setState('已上传', true);
        No1.setText(err, '');
        No1.show(retry, false);
        No1.api('GET', '/citizen/applications/' + caseId + '/documents/' + doc.id + '/thumbnail',
          { responseType: 'blob' }, function (problem, blob) { if (!problem) showThumb(blob); });
      },
      reset: function () {
        pending = null;
        setState('未上传', false);
        No1.setText(err, '');
        No1.show(retry, false);
        No1.show(thumb, false);
      }
    };
  }

  root.No1Upload = { widget: widget, shrink: shrink };
})(window, window.No1);
