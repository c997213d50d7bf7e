// Makes the MongoDB replica set of DTS once, then waits until it has a primary; exits 0 when the
// services can write, non-zero otherwise. Safe to run again: a set already made is left as it is.
//
// Run by mongosh against the first member (direct connection), with
//   DTS_MONGO_REPLSET  the set's name (the `replicaSet` of MONGO_URI and mongod's --replSet)
//   DTS_MONGO_MEMBERS  host:port of every member, comma-separated, the first preferred as primary
// Used by docker-compose.yml (service mongo-init) and deploy/k8s (Job mongo-init).

const setName = process.env.DTS_MONGO_REPLSET || "dts";
const members = (process.env.DTS_MONGO_MEMBERS || "").split(",").filter((h) => h.trim() !== "");
const WAIT_S = 180;

if (members.length === 0) {
  print("init-replica-set: DTS_MONGO_MEMBERS is empty");
  quit(2);
}

function answers(host) {
  try {
    const admin = new Mongo(`mongodb://${host}/?directConnection=true&serverSelectionTimeoutMS=2000`).getDB("admin");
    return admin.runCommand({ ping: 1 }).ok === 1;
  } catch (e) {
    return false;
  }
}

function replicaSetStatus() {
  try {
    return rs.status();
  } catch (e) {
    if (e.codeName === "NotYetInitialized") {
      return null;
    }
    throw e;
  }
}

function waitFor(what, ready) {
  const deadline = Date.now() + WAIT_S * 1000;
  while (!ready()) {
    if (Date.now() > deadline) {
      print(`init-replica-set: gave up after ${WAIT_S} s waiting for ${what}`);
      quit(1);
    }
    sleep(1000);
  }
}

// Initiating checks that every proposed member answers, so wait for all of them first.
for (const host of members) {
  waitFor(`member ${host}`, () => answers(host));
}

if (replicaSetStatus() === null) {
  const config = {
    _id: setName,
    members: members.map((host, i) => ({ _id: i, host: host, priority: i === 0 ? 2 : 1 })),
  };
  try {
    rs.initiate(config);
    print(`init-replica-set: initiated ${setName} with ${members.join(", ")}`);
  } catch (e) {
    if (e.codeName !== "AlreadyInitialized") {
      throw e;
    }
  }
} else {
  print(`init-replica-set: ${setName} already exists`);
}

waitFor("a primary", () => Boolean(db.hello().primary));
print(`init-replica-set: primary is ${db.hello().primary}`);
