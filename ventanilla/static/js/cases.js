/* Case pages of the customer area: character counter, dependent version select, attachments
   (drag and drop, picker, pasted screenshots, screen recording) checked before sending, and the
   case list's filters that apply themselves. Every page works without this file. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- counter */
  function initCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) return;
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var value = counter.querySelector("[data-counter-value]");
    function update() {
      var length = field.value.replace(/\r\n/g, "\n").length;
      value.textContent = String(length);
      counter.classList.toggle("is-near", length >= max * 0.9 && length < max);
      counter.classList.toggle("is-full", length >= max);
    }
    field.addEventListener("input", update);
    update();
  }

  /* ---------------------------------------------------------------- product → version */
  function initVersions(form) {
    var product = form.querySelector("select[name=product]");
    var version = form.querySelector("select[name=product_version]");
    var wrap = form.querySelector("[data-version-field]");
    if (!product || !version) return;
    function update() {
      var chosen = product.value;
      var any = false;
      Array.prototype.forEach.call(version.options, function (option) {
        var owner = option.getAttribute("data-product");
        if (!owner) return;
        var mine = owner === chosen;
        option.hidden = !mine;
        option.disabled = !mine;
        if (mine) any = true;
        if (!mine && option.selected) version.value = "";
      });
      version.disabled = !any;
      if (wrap) wrap.classList.toggle("is-idle", !any);
    }
    product.addEventListener("change", update);
    update();
  }

  /* ---------------------------------------------------------------- phone call */
  function initPhone(form) {
    var box = form.querySelector("input[name=callback_requested]");
    var field = form.querySelector("[data-phone-field]");
    if (!box || !field) return;
    function update() {
      field.hidden = !box.checked;
      var input = field.querySelector("input");
      if (input) input.required = box.checked;
    }
    box.addEventListener("change", update);
    update();
  }

  /* ---------------------------------------------------------------- attachments */
  function humanSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  function stamp() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + two(d.getMonth() + 1) + two(d.getDate()) + "-" +
      two(d.getHours()) + two(d.getMinutes()) + two(d.getSeconds());
  }

  function FileBox(box) {
    this.box = box;
    this.input = box.querySelector("input[type=file]");
    this.list = box.querySelector("[data-file-list]");
    this.errors = box.querySelector("[data-file-errors]");
    this.types = (box.getAttribute("data-types") || "").split(",");
    this.maxBytes = parseInt(box.getAttribute("data-max-bytes"), 10);
    this.files = [];
    box.fileBox = this;
    var self = this;
    this.input.classList.add("visually-hidden");
    this.input.addEventListener("change", function () {
      var picked = Array.prototype.slice.call(self.input.files);
      self.add(picked, true);
    });
    var zone = box.querySelector("[data-dropzone]");
    if (zone) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("is-over");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("is-over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        self.add(Array.prototype.slice.call(event.dataTransfer.files));
      });
    }
    this.initRecorder();
  }

  FileBox.prototype.message = function (key, name, size) {
    var text = this.box.getAttribute("data-msg-" + key) || "";
    return text.replace("{name}", name).replace("{size}", size || "");
  };

  FileBox.prototype.problem = function (file) {
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    if (file.name.indexOf(".") < 0 || this.types.indexOf(ext) < 0) return this.message("type", file.name);
    if (file.size > this.maxBytes) return this.message("size", file.name, humanSize(file.size));
    if (file.size === 0) return this.message("empty", file.name);
    return "";
  };

  /* fromInput: the picker already replaced input.files; merge with what was kept before. */
  FileBox.prototype.add = function (incoming, fromInput) {
    var self = this;
    var problems = [];
    incoming.forEach(function (file) {
      var problem = self.problem(file);
      if (problem) problems.push(problem);
      else self.files.push(file);
    });
    this.showProblems(problems);
    this.sync();
  };

  FileBox.prototype.showProblems = function (problems) {
    if (!this.errors) return;
    this.errors.innerHTML = "";
    problems.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      this.errors.appendChild(item);
    }, this);
    this.errors.hidden = problems.length === 0;
  };

  FileBox.prototype.sync = function () {
    var transfer = new DataTransfer();
    this.files.forEach(function (file) { transfer.items.add(file); });
    this.input.files = transfer.files;
    this.render();
  };

  FileBox.prototype.render = function () {
    var self = this;
    this.list.innerHTML = "";
    this.files.forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "filelist__item";
      var kind = file.type.indexOf("image/") === 0 ? "image" : file.type.indexOf("video/") === 0 ? "video" : "file";
      item.setAttribute("data-kind", kind);
      var name = document.createElement("span");
      name.className = "filelist__name";
      name.textContent = file.name;
      var size = document.createElement("span");
      size.className = "filelist__size";
      size.textContent = humanSize(file.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "filelist__remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", self.message("remove", "") + " " + file.name);
      remove.addEventListener("click", function () {
        self.files.splice(index, 1);
        self.sync();
      });
      item.appendChild(name);
      item.appendChild(size);
      item.appendChild(remove);
      self.list.appendChild(item);
    });
  };

  FileBox.prototype.addPasted = function (event) {
    var items = (event.clipboardData && event.clipboardData.items) || [];
    var images = [];
    Array.prototype.forEach.call(items, function (item) {
      if (item.kind === "file" && item.type.indexOf("image/") === 0) {
        var blob = item.getAsFile();
        if (!blob) return;
        var ext = item.type === "image/jpeg" ? "jpg" : item.type === "image/gif" ? "gif" : "png";
        images.push(new File([blob], "captura-" + stamp() + "-" + (images.length + 1) + "." + ext, { type: item.type }));
      }
    });
    if (images.length) {
      event.preventDefault();
      this.add(images);
    }
  };

  FileBox.prototype.initRecorder = function () {
    var button = this.box.querySelector("[data-record]");
    var wrap = this.box.querySelector("[data-record-wrap]");
    if (!button || !navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia || !window.MediaRecorder) return;
    if (wrap) wrap.hidden = false;
    var self = this;
    var label = button.innerHTML;
    var recorder = null;
    var timer = null;
    button.addEventListener("click", function () {
      if (recorder) { recorder.stop(); return; }
      navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
        var chunks = [];
        var bytes = 0;
        var started = Date.now();
        var type = MediaRecorder.isTypeSupported("video/webm;codecs=vp9") ? "video/webm;codecs=vp9" : "video/webm";
        recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 600000 });
        recorder.ondataavailable = function (event) {
          if (!event.data || !event.data.size) return;
          chunks.push(event.data);
          bytes += event.data.size;
          if (bytes > self.maxBytes * 0.92 && recorder && recorder.state === "recording") {
            self.showProblems([self.message("record-limit", "")]);
            recorder.stop();
          }
        };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          clearInterval(timer);
          button.innerHTML = label;
          button.classList.remove("is-recording");
          recorder = null;
          var blob = new Blob(chunks, { type: "video/webm" });
          if (blob.size) self.add([new File([blob], "grabacion-" + stamp() + ".webm", { type: "video/webm" })]);
        };
        stream.getVideoTracks()[0].addEventListener("ended", function () {
          if (recorder && recorder.state === "recording") recorder.stop();
        });
        recorder.start(1000);
        button.classList.add("is-recording");
        timer = setInterval(function () {
          var seconds = Math.floor((Date.now() - started) / 1000);
          button.textContent = self.message("recording", "") + " (" + Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0") + ")";
        }, 500);
        button.textContent = self.message("recording", "");
      }).catch(function (error) {
        if (error && error.name === "NotAllowedError") return;  // the person said no
        self.showProblems([self.message("record-failed", "")]);
      });
    });
  };

  function initFiles(root) {
    root.querySelectorAll("[data-files]").forEach(function (box) {
      if (!box.fileBox && box.querySelector("input[type=file]")) new FileBox(box);
    });
  }

  /* A screenshot pasted anywhere on the page goes to the page's first attachment box. */
  document.addEventListener("paste", function (event) {
    var box = document.querySelector("[data-files]");
    if (box && box.fileBox) box.fileBox.addPasted(event);
  });

  /* ---------------------------------------------------------------- list filters */
  function initAutosubmit(root) {
    root.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      if (form.autosubmit) return;
      form.autosubmit = true;
      var wait = null;
      form.addEventListener("change", function (event) {
        if (event.target.matches("select")) form.requestSubmit();
      });
      form.addEventListener("input", function (event) {
        if (!event.target.matches("input[type=search]")) return;
        clearTimeout(wait);
        wait = setTimeout(function () { form.requestSubmit(); }, 450);
      });
    });
  }

  function init(root) {
    root.querySelectorAll("[data-counter-for]").forEach(initCounter);
    root.querySelectorAll("form[data-case-form]").forEach(function (form) {
      initVersions(form);
      initPhone(form);
    });
    initFiles(root);
    initAutosubmit(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target.parentNode || document); });
})();
