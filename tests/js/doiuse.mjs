// doiuse-email (caniemail's data) on an HTML e-mail read from standard input.
//
//     node tests/js/doiuse.mjs CLIENT... < letter.html
//
// Prints one JSON object: {"errors": [...], "nodata": [...]}, each entry
// {"client", "feature", "where"}; `where` names the element ("td.entry > h3.entry-title > a")
// or "<style>" for the rules of a stylesheet. The library itself stops at the first feature
// it has no data for on a client ("Feature `table-layout` not found on `thunderbird.macos`"):
// here such a pair is reported under "nodata" and the check goes on with the next feature,
// so that one missing datum does not hide a whole client. Used by tests/test_email_clients.py.
import { readFileSync } from "node:fs";

import { DoIUseEmail } from "@jsx-email/doiuse-email";

function describe(node) {
  const classes = (node.attribs?.class ?? "").split(/\s+/).filter(Boolean);
  let name = [node.name, ...classes].join(".");
  const href = node.attribs?.href ?? "";
  if (node.name === "a" && href.includes(":")) {
    name += `[href^="${href.slice(0, href.indexOf(":") + 1)}"]`;
  }
  return name;
}

class Located extends DoIUseEmail {
  constructor(client) {
    super({ emailClients: [client] });
    this.client = client;
    this.path = [];
    this.feature = "";
    this.found = [];
    this.nodata = [];
  }

  where() {
    return this.path.length ? this.path.slice(-3).join(" > ") : "<style>";
  }

  checkHtmlNode(node) {
    this.path.push(describe(node));
    try {
      super.checkHtmlNode(node);
    } finally {
      this.path.pop();
    }
  }

  checkFeaturesSupport(titles) {
    for (const title of [titles].flat()) {
      this.feature = title;
      try {
        super.checkFeaturesSupport(title);
      } catch (err) {
        if (!String(err.message).includes(" not found on ")) throw err;
        this.nodata.push({ client: this.client, feature: title, where: this.where() });
      }
    }
  }

  error(message) {
    super.error(message);
    this.found.push({ client: this.client, feature: this.feature, where: this.where() });
  }
}

const clients = process.argv.slice(2);
if (clients.length === 0) {
  console.error("usage: node doiuse.mjs CLIENT... < letter.html");
  process.exit(2);
}
const html = readFileSync(0, "utf8");
const errors = [];
const nodata = [];
for (const client of clients) {
  const checker = new Located(client);
  checker.check(html);
  errors.push(...checker.found);
  nodata.push(...checker.nodata);
}
console.log(JSON.stringify({ errors, nodata }, null, 1));
