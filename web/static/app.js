// 社区服务数据报送系统: the little the pages need a script for. Uploads
// go one file at a time to POST /api/submissions, and each receipt is
// shown as it comes; the reminders are read when opened and copied with
// one click. Nothing
// here talks to any server but this one.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function showReceipt(box, name, r) {
    var card = el("div", "rcpt" + (r.problems.length ? " has-problems" : ""));
    card.setAttribute("data-submission", r.submission_id);
    card.appendChild(el("h3", "", "第 " + r.submission_id + " 号报送回执 · " + name + " · " + r.status_zh));
    var counts = el("p", "counts");
    counts.appendChild(el("span", "", "读取 " + r.rows_read + " 行"));
    counts.appendChild(el("span", "ok", "入库 " + r.rows_loaded));
    counts.appendChild(el("span", r.rows_rejected ? "bad" : "", "未入库 " + r.rows_rejected));
    counts.appendChild(el("span", r.rows_warned ? "warn" : "", "警告 " + r.rows_warned));
    if (r.rows_waiting) { counts.appendChild(el("span", "warn", "待关联 " + r.rows_waiting)); }
    card.appendChild(counts);
    if (r.reason_zh) { card.appendChild(el("p", "note", r.reason_zh)); }
    if (r.problems.length) {
      var t = el("table", "list problems");
      var head = el("tr");
      ["工作表", "行", "列", "填写的值", "原因", "代码"].forEach(function (h) { head.appendChild(el("th", "", h)); });
      var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
      var tb = el("tbody");
      r.problems.forEach(function (p) {
        var tr = el("tr", p.severity);
        tr.appendChild(el("td", "", p.sheet));
        tr.appendChild(el("td", "num", p.row));
        tr.appendChild(el("td", "", (p.header || p.column).trim() + (p.letter ? "（" + p.letter + " 列）" : "")));
        tr.appendChild(el("td", "", p.value));
        tr.appendChild(el("td", "", p.message_zh));
        tr.appendChild(el("td", "", p.code));
        tb.appendChild(tr);
      });
      t.appendChild(tb);
      card.appendChild(t);
    } else {
      card.appendChild(el("p", "ok", "没有问题：每一行都已入库。"));
    }
    var links = el("p");
    var page = el("a", "", "查看回执页");
    page.href = r.page_url;
    links.appendChild(page);
    if (r.receipt_url) {
      links.appendChild(document.createTextNode(" · "));
      var dl = el("a", "receipt-download", "下载标注后的工作簿");
      dl.href = r.receipt_url;
      links.appendChild(dl);
    }
    card.appendChild(links);
    box.insertBefore(card, box.firstChild);
  }

  function showFailure(box, name, msg) {
    var card = el("div", "rcpt failed");
    card.appendChild(el("h3", "", name + " · 未能报送"));
    card.appendChild(el("p", "bad", msg));
    box.insertBefore(card, box.firstChild);
  }

  function uploadOne(box, file) {
    var fd = new FormData();
    fd.append("file", file, file.name);
    var pending = el("p", "note pending", "正在报送 " + file.name + " …");
    box.insertBefore(pending, box.firstChild);
    return fetch("/api/submissions", {
      method: "POST", body: fd, credentials: "same-origin",
      headers: { "X-Csrf-Token": csrf(), "Accept": "application/json" }
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; },
        function () { return { ok: false, body: { message_zh: "服务器返回 " + resp.status } }; });
    }).then(function (res) {
      box.removeChild(pending);
      if (res.ok) { showReceipt(box, file.name, res.body); } else { showFailure(box, file.name, res.body.message_zh || "报送失败"); }
    }, function () {
      box.removeChild(pending);
      showFailure(box, file.name, "网络中断，未能报送，请重试。");
    });
  }

  function uploadAll(box, files) {
    var list = Array.prototype.slice.call(files);
    var chain = Promise.resolve();
    list.forEach(function (f) { chain = chain.then(function () { return uploadOne(box, f); }); });
    return chain;
  }

  function setupUpload() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var input = document.getElementById("file");
    var drop = document.getElementById("drop");
    var box = document.getElementById("receipts");
    input.addEventListener("change", function () {
      if (input.files.length) { uploadAll(box, input.files).then(function () { input.value = ""; }); }
    });
    ["dragenter", "dragover"].forEach(function (ev) {
      drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { uploadAll(box, e.dataTransfer.files); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.files.length) { uploadAll(box, input.files); }
    });
  }

  function setupCopy() {
    Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
      b.addEventListener("click", function () {
        var ta = b.closest("details").querySelector("textarea");
        var done = function () { b.textContent = "已复制"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(ta.value).then(done, function () { ta.select(); });
        } else {
          ta.select();
          try { if (document.execCommand("copy")) { done(); } } catch (err) { /* the text stays selected */ }
        }
      });
    });
  }

  // The board's reminders are read when opened: a province's board has
  // a hundred districts' worth of them, too many to send with the page.
  function setupReminders() {
    Array.prototype.forEach.call(document.querySelectorAll("details.reminder[data-src]"), function (d) {
      d.addEventListener("toggle", function () {
        var ta = d.querySelector("textarea");
        if (!d.open || d.getAttribute("data-loaded")) { return; }
        d.setAttribute("data-loaded", "loading");
        fetch(d.getAttribute("data-src"), { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
          return r.text();
        }).then(function (text) {
          ta.value = text;
          d.setAttribute("data-loaded", "yes");
        }, function (err) {
          ta.value = "未能读取通知（" + err.message + "），请刷新页面后重试，或下载为文本文件。";
          d.removeAttribute("data-loaded");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupUpload();
    setupCopy();
    setupReminders();
  });
}());
