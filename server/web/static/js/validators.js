/*
 * Checks for what citizens type: resident ID, VIN, plate, mobile, name.
 * A port of common/validators.py: same rules, same Chinese messages, so a
 * typo is caught on the phone before anything is sent and the server says
 * the same thing if it gets through. tests/e2e/test_validators_js.py runs
 * both against the same examples.
 * ES5 only: it must run in Android 8 WebView and iOS 13 Safari.
 */
(function (root) {
  'use strict';

  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECK_CHARS = '10X98765432';
  // GB/T 2260 province-level codes, including 71 Taiwan, 81 Hong Kong, 82 Macao.
  var PROVINCE_CODES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
    41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82];
  var VIN_VALUES = {
    A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5,
    P: 7, R: 9, S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
    '0': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '8': 8, '9': 9
  };
  var VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
  var PROVINCE_CHARS = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
  var ORDINARY_PLATE = new RegExp('^[' + PROVINCE_CHARS + '][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警领]$');
  var NEW_ENERGY_PLATE = new RegExp('^[' + PROVINCE_CHARS + '][A-HJ-NP-Z](?:[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF])$');
  var PLATE_SEPARATORS = '·•‧・.-—';
  var DIGITS = /^[0-9]+$/;
  var MOBILE = /^1[3-9][0-9]{9}$/;

  /** Fold full-width forms to ASCII (phone keyboards type them), drop blanks and `removable`, uppercase. */
  function compact(value, removable) {
    var text = String(value == null ? '' : value);
    if (text.normalize) {
      text = text.normalize('NFKC');
    } else {
      // Old engines: fold the full-width ASCII block and the ideographic space by hand.
      text = text.replace(/[\uFF01-\uFF5E]/g, function (ch) {
        return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0);
      }).replace(/\u3000/g, ' ');
    }
    var out = '';
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (/\s/.test(ch) || (removable && removable.indexOf(ch) >= 0)) continue;
      out += ch;
    }
    return out.toUpperCase();
  }

  function ok(value) { return { ok: true, value: value, message: '' }; }
  function bad(message) { return { ok: false, value: null, message: message }; }

  function residentIdCheckChar(first17) {
    var total = 0;
    for (var i = 0; i < 17; i++) total += parseInt(first17.charAt(i), 10) * ID_WEIGHTS[i];
    return ID_CHECK_CHARS.charAt(total % 11);
  }

  function isRealDate(y, m, d) {
    if (m < 1 || m > 12 || d < 1) return false;
    var days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    return y >= 1 && d <= days[m - 1];
  }

  /** `today` is 'YYYYMMDD' (the device's date); the server repeats the check with its own clock. */
  function residentId(value, today) {
    var n = compact(value);
    if (!n) return bad('请输入身份证号码');
    if (n.length !== 18) return bad('身份证号码应为18位,您输入了' + n.length + '位,请核对后重新输入');
    if (!DIGITS.test(n.substring(0, 17))) return bad('身份证号码前17位只能是数字,请核对后重新输入');
    if (ID_CHECK_CHARS.indexOf(n.charAt(17)) < 0) return bad('身份证号码最后一位只能是数字或字母X,请核对后重新输入');
    if (PROVINCE_CODES.indexOf(parseInt(n.substring(0, 2), 10)) < 0) return bad('身份证号码前6位地区代码不正确,请核对后重新输入');
    var y = parseInt(n.substring(6, 10), 10), m = parseInt(n.substring(10, 12), 10), d = parseInt(n.substring(12, 14), 10);
    if (!isRealDate(y, m, d)) return bad('身份证号码中的出生日期(第7至14位)不是有效日期,请核对后重新输入');
    if (y < 1900) return bad('身份证号码中的出生日期早于1900年,请核对后重新输入');
    if (today && n.substring(6, 14) > today) return bad('身份证号码中的出生日期晚于今天,请核对后重新输入');
    if (n.charAt(17) !== residentIdCheckChar(n.substring(0, 17))) return bad('身份证号码校验位不正确,请核对后重新输入');
    return ok(n);
  }

  function vinCheckDigit(vin) {
    var total = 0;
    for (var i = 0; i < 17; i++) {
      if (i === 8) continue;
      total += VIN_VALUES[vin.charAt(i)] * VIN_WEIGHTS[i];
    }
    var r = total % 11;
    return r === 10 ? 'X' : String(r);
  }

  function vin(value) {
    var v = compact(value);
    if (!v) return bad('请输入车架号(VIN)');
    if (v.length !== 17) return bad('车架号(VIN)应为17位,您输入了' + v.length + '位,请核对后重新输入');
    if (/[IOQ]/.test(v)) return bad('车架号(VIN)中不会出现字母I、O、Q,请核对是否为数字1或0');
    for (var i = 0; i < 17; i++) {
      if (!VIN_VALUES.hasOwnProperty(v.charAt(i))) return bad('车架号(VIN)只能包含数字和英文字母,请核对后重新输入');
    }
    if (v.charAt(8) !== vinCheckDigit(v)) return bad('车架号(VIN)第9位校验位不正确,请核对后重新输入');
    return ok(v);
  }

  function plate(value) {
    var p = compact(value, PLATE_SEPARATORS);
    if (!p) return bad('请输入号牌号码');
    if (PROVINCE_CHARS.indexOf(p.charAt(0)) < 0) return bad('号牌号码第一位应为省份简称(如“苏”),请核对后重新输入');
    if (p.length !== 7 && p.length !== 8) return bad('号牌号码应为7位(新能源号牌为8位),您输入了' + p.length + '位,请核对后重新输入');
    if (p.indexOf('I') >= 0 || p.indexOf('O') >= 0) return bad('号牌号码中不使用字母I和O,请核对是否为数字1或0');
    if (ORDINARY_PLATE.test(p) || NEW_ENERGY_PLATE.test(p)) return ok(p);
    return bad('号牌号码格式不正确,请按行驶证上的号码填写(如:苏J12345)');
  }

  function stripCountryCode(n) {
    if (n.indexOf('+86') === 0) return n.substring(3);
    if (n.indexOf('0086') === 0) return n.substring(4);
    if (n.indexOf('86') === 0 && n.length === 13) return n.substring(2);
    return n;
  }

  function mobile(value) {
    var n = stripCountryCode(compact(value, '-'));
    if (!n) return bad('请输入手机号码');
    if (!DIGITS.test(n)) return bad('手机号码只能包含数字,请核对后重新输入');
    if (n.length !== 11) return bad('手机号码应为11位,您输入了' + n.length + '位,请核对后重新输入');
    if (!MOBILE.test(n)) return bad('手机号码格式不正确,应以13至19开头,请核对后重新输入');
    return ok(n);
  }

  function personName(value) {
    var v = String(value == null ? '' : value).replace(/^\s+|\s+$/g, '');
    if (v.length < 2 || v.length > 30) return bad('请填写车主姓名(2至30个字)');
    return ok(v);
  }

  root.No1Validators = {
    compact: compact,
    residentId: residentId,
    residentIdCheckChar: residentIdCheckChar,
    vin: vin,
    vinCheckDigit: vinCheckDigit,
    plate: plate,
    mobile: mobile,
    personName: personName
  };
})(this);
