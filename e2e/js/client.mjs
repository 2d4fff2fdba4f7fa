// The official Kubernetes JavaScript client (@kubernetes/client-node 1.x)
// against tug-apiserver, for e2e/19-js-client.bats: one step per run, named
// on the command line (crud, selectors, patch, jsonpatch, scale, watch), in
// namespace NS. Reads $KUBECONFIG as any user's program would; prints what it
// checked, and exits non-zero with the reason when a check fails.
import * as k8s from '@kubernetes/client-node';

const [step, ns] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

function expect(cond, what) {
  if (!cond) {
    console.error(`failed: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
}

const cm = (name, labels = {}, data = {}) => ({ metadata: { name, labels }, data });

async function status(promise) {
  try {
    await promise;
    return 200;
  } catch (e) {
    return e.code;
  }
}

const steps = {
  async crud() {
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: cm('c1', {}, { a: '1' }) });
    expect(created.metadata.uid && created.metadata.resourceVersion, 'create returns uid and resourceVersion');
    const got = await core.readNamespacedConfigMap({ name: 'c1', namespace: ns });
    expect(got.data.a === '1', 'read returns the data');
    const stale = structuredClone(got);
    got.data.b = '2';
    const replaced = await core.replaceNamespacedConfigMap({ name: 'c1', namespace: ns, body: got });
    expect(replaced.data.b === '2', 'replace stores the whole object');
    stale.data.c = '3';
    expect((await status(core.replaceNamespacedConfigMap({ name: 'c1', namespace: ns, body: stale }))) === 409,
      'replace with a stale resourceVersion is 409');
    await core.deleteNamespacedConfigMap({ name: 'c1', namespace: ns });
    expect((await status(core.readNamespacedConfigMap({ name: 'c1', namespace: ns }))) === 404, 'read after delete is 404');
  },

  async selectors() {
    for (const [name, tier] of [['s1', 'front'], ['s2', 'front'], ['s3', 'back']])
      await core.createNamespacedConfigMap({ namespace: ns, body: cm(name, { tier, app: 'sel' }) });
    const names = async (labelSelector) =>
      (await core.listNamespacedConfigMap({ namespace: ns, labelSelector })).items.map((i) => i.metadata.name).sort().join(',');
    expect((await names('tier=front')) === 's1,s2', 'equality selector');
    expect((await names('tier!=front,app=sel')) === 's3', 'inequality selector');
    expect((await names('tier in (front,back)')) === 's1,s2,s3', 'set selector');
    const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=s3' });
    expect(byName.items.length === 1 && byName.items[0].metadata.name === 's3', 'field selector');
    const page = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=sel', limit: 2 });
    const rest = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=sel', limit: 2, _continue: page.metadata._continue });
    expect(page.items.length === 2 && rest.items.length === 1, 'limit and continue');
  },

  async patch() {
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('p1', { v: '1' }, { a: '1' }) });
    const out = await core.patchNamespacedConfigMap(
      { name: 'p1', namespace: ns, body: { metadata: { labels: { v: '2' } }, data: { a: null, b: '2' } } }, merge);
    expect(out.metadata.labels.v === '2' && JSON.stringify(out.data) === '{"b":"2"}', 'merge patch (null deletes a key)');
  },

  // The client's default patch type is JSON Patch (RFC 6902).
  async jsonpatch() {
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('j1', {}, { a: '1' }) });
    const out = await core.patchNamespacedConfigMap({
      name: 'j1', namespace: ns,
      body: [{ op: 'test', path: '/data/a', value: '1' }, { op: 'replace', path: '/data/a', value: '2' }],
    });
    expect(out.data.a === '2', 'JSON patch, the default');
  },

  async scale() {
    const labels = { app: 'scaled' };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'scaled' },
        spec: {
          replicas: 1, selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
        },
      },
    });
    const s = await apps.readNamespacedDeploymentScale({ name: 'scaled', namespace: ns });
    expect(s.kind === 'Scale' && s.spec.replicas === 1, 'read the scale subresource');
    await apps.patchNamespacedDeploymentScale({ name: 'scaled', namespace: ns, body: { spec: { replicas: 4 } } }, merge);
    expect((await apps.readNamespacedDeployment({ name: 'scaled', namespace: ns })).spec.replicas === 4, 'patch the scale subresource');
    s.spec.replicas = 2;
    delete s.metadata.resourceVersion;
    await apps.replaceNamespacedDeploymentScale({ name: 'scaled', namespace: ns, body: s });
    expect((await apps.readNamespacedDeployment({ name: 'scaled', namespace: ns })).spec.replicas === 2, 'replace the scale subresource');
  },

  async watch() {
    const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata.resourceVersion;
    const seen = [];
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch saw only ${JSON.stringify(seen)}`)), 10000);
      new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv },
        (type, obj) => {
          seen.push(`${type} ${obj.metadata.name}`);
          if (seen.length === 3) {
            clearTimeout(timer);
            resolve();
          }
        },
        (err) => err && reject(err)).then((req) => {
        setTimeout(async () => {
          await core.createNamespacedConfigMap({ namespace: ns, body: cm('w1') });
          await core.patchNamespacedConfigMap({ name: 'w1', namespace: ns, body: { data: { k: 'v' } } }, merge);
          await core.deleteNamespacedConfigMap({ name: 'w1', namespace: ns });
        }, 300);
        return req;
      }, reject);
    });
    expect(seen.join(',') === 'ADDED w1,MODIFIED w1,DELETED w1', `watch sees ${seen.join(',')}`);
    process.exit(0);
  },
};

try {
  await steps[step]();
} catch (e) {
  console.error(`failed: ${step}: ${e.code ?? ''} ${e.body ?? e.message}`);
  process.exit(1);
}
