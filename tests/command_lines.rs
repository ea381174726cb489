//! Passwords on command lines: shell histories, CI logs, process lists, `argv` in JSON.
//!
//! Generated: {long flags named like credentials, tools with single-letter password
//! flags, positional passwords} × {bare, single-quoted, double-quoted} × {alone in a
//! log, in a JSON string, continued over lines with `\`}. The password must be gone
//! from every copy; the flag, the tool and every other argument stay. Commands whose
//! arguments hold no password (`mysql -p app` prompts, `--password-stdin`, `$VAR`)
//! stay byte for byte.

mod common;

use harscrub::clean_bytes;

const SECRET: &str = "Xq7Lp2Vn9Rt4Kw8Zm3Bc6Hd";

/// Command lines with `{}` where the password goes.
const COMMANDS: &[&str] = &[
    "mytool --password {} --verbose",
    "deploy --api-key {} --region eu-west-1",
    "run --client-secret={} -v",
    "cli --token={} --pass=x",
    "keytool -importkeystore -storepass {} -noprompt",
    "sshpass -p {} ssh root@db01",
    "sshpass -p{} ssh root@db01",
    "docker login -u bob -p {} registry.example.com",
    "podman login --username bob --password {} quay.io",
    "redis-cli -h cache -a {} ping",
    "mongosh --username admin --password {} mongodb://db",
    "mongodump -u admin -p {} --db app",
    "smbclient //srv/share -U bob%{}",
    "az login -u bob@example.com -p {}",
    "sqlcmd -S db -U sa -P {} -Q \"select 1\"",
    "ldapsearch -x -D cn=admin,dc=example -w {} -b dc=example",
    "mysql -u root -p{} app",
    "curl -u admin:{} https://api.example.com/v1",
    "curl -U proxy:{} https://x.example",
    "curl -uadmin:{} https://x.example",
    "curl -H \"X-Api-Key: {}\" https://x.example",
    "curl -b sid={} https://x.example",
    "http -a bob:{} GET https://x.example",
    "http --auth bob:{} GET https://x.example",
    "openssl pkcs12 -export -passout pass:{} -out a.p12",
    "htpasswd -b .htpasswd bob {}",
    "htpasswd -cbB /etc/nginx/.htpasswd bob {}",
    "sqlplus scott/{}@orcl",
    "aws configure set aws_secret_access_key {}",
    "npm config set //registry.npmjs.org/:_authToken {}",
    "kubectl create secret generic db --from-literal=password={}",
    "zip -P {} backup.zip notes.txt",
    "7z a -p{} backup.7z notes",
    "psexec \\\\host01 -u admin -p {} cmd.exe",
    "twine upload -u __token__ -p {} dist/*",
    "lftp -u alice,{} sftp://files.example.com",
    "gh secret set DEPLOY_KEY --body {}",
    "net use Z: \\\\fs01\\share /user:CORP\\alice {}",
    "net user alice {} /add",
    "rabbitmqctl change_password alice {}",
    "rabbitmqctl add_user alice {}",
    "echo alice:{} | chpasswd",
    "smbget -U bob%{} smb://srv/share/file",
    "ipmitool -I lanplus -H 10.0.0.5 -U admin -P {} power status",
    "openssl enc -aes-256-cbc -k {} -in notes.txt -out notes.enc",
    "snmpwalk -v2c -c {} 10.0.0.1",
    "snmpget -v3 -u admin -l authPriv -a SHA -A {} -x AES -X {} 10.0.0.1 sysName.0",
];

/// Commands that hold no password: kept byte for byte.
const PLAIN: &[&str] = &[
    "ls -la --color=auto /tmp --max-depth 3 -p 8080",
    "mysql -u root -p app",
    "cli --password $DB_PASS --token ${TOKEN}",
    "echo $P | docker login --username bob --password-stdin registry.example.com",
    "tool --token-file /run/secrets/token --key-id 42",
    "htpasswd -c .htpasswd bob",
    "curl -b cookies.txt -c cookies.txt https://x.example",
    "ldapsearch -x -b dc=example -H ldap://db",
    "net use Z: \\\\fs01\\share * /user:alice",
    "lftp -u alice sftp://files.example.com",
    "7z a -p backup.7z notes",
    "rabbitmqctl list_users -q",
    "sqlplus / as sysdba",
    "ipmitool -I lanplus -H 10.0.0.5 -U admin -E power status",
    "snmpwalk -v3 -l noAuthNoPriv -u monitor 10.0.0.1",
    "openssl req -new -key server.key -out server.csr",
];

fn quoted(q: &str) -> String {
    format!("{q}{SECRET}{q}")
}

/// The copy of `name` holding `text`; panics on a refusal.
fn copy(name: &str, text: &str) -> String {
    let c = clean_bytes(&common::engine("k"), name, text.as_bytes())
        .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
    String::from_utf8(c.copy).unwrap()
}

#[test]
fn passwords_on_command_lines_go_and_the_commands_stay() {
    let mut bad = Vec::new();
    let mut cases = 0;
    for cmd in COMMANDS {
        for q in ["", "'", "\""] {
            // A quote inside an already quoted header or a glued flag is not a shape.
            if !q.is_empty()
                && (cmd.contains("\"X-Api")
                    || cmd.contains("{}@")
                    || !cmd.contains(" {}") && !cmd.contains("={}"))
            {
                continue;
            }
            let line = cmd.replace("{}", &quoted(q));
            let (before, after) = line.split_once(&quoted(q)).unwrap();
            let continued = line.replacen(" -", " \\\n  -", 1);
            let json = serde_json::json!({"argv": line, "status": 0}).to_string();
            for (name, text) in [
                ("history.log", format!("$ {line}\n")),
                ("ci.log", format!("+ {continued}\nexit 0\n")),
                ("proc.json", json),
            ] {
                cases += 1;
                let out = copy(name, &text);
                if out.contains(SECRET) {
                    bad.push(format!("{name}: leaked in {text:?}"));
                }
                // Every other argument is kept (the flag before, what follows after),
                // in the text as read (the JSON string decoded).
                let out = match name {
                    "proc.json" => serde_json::from_str::<serde_json::Value>(&out).unwrap()["argv"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    _ => out,
                };
                let tail = after.trim_start_matches(['\'', '"']);
                let head = before.trim_end_matches(['\'', '"']);
                let head_kept = head
                    .split_whitespace()
                    .all(|w| out.contains(w.split(':').next().unwrap()));
                if !head_kept || !out.contains(tail.split_whitespace().next().unwrap_or("")) {
                    bad.push(format!("{name}: lost an argument of {text:?}: {out:?}"));
                }
            }
        }
    }
    assert!(cases >= 100, "{cases}");
    assert!(
        bad.is_empty(),
        "{} failures:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn commands_without_passwords_stay_byte_for_byte() {
    for cmd in PLAIN {
        let text = format!("$ {cmd}\n");
        assert_eq!(copy("history.log", &text), text);
    }
}

/// Protocol transcripts and configuration files: the password is a word after a
/// command or directive. Each line alone in its file, and all of them in one.
#[test]
fn passwords_in_transcripts_and_configs_go() {
    let lines = [
        "C: PASS {}",
        "PASS {}",
        "a1 LOGIN bob {}",
        "AUTH {}",
        "AUTH default {}",
        "requirepass {}",
        "masterauth \"{}\"",
        "machine api.example.com login bob password {}",
        "machine api.example.com login bob account {}",
        "default login anon password {}",
        "username admin privilege 15 password 0 {}",
        "enable secret 0 {}",
        "2024-01-01T00:00:00Z INFO PASS {}",
        "[ftp] 12:00:01.5 C: PASS {}",
        "127.0.0.1:6379> AUTH {}",
        "127.0.0.1:6379> CONFIG SET requirepass {}",
        "1700000000.123456 [0 127.0.0.1:50000] \"AUTH\" \"{}\"",
        "127.0.0.1:6379> HELLO 3 AUTH default {} SETNAME app",
        "1700000000.123456 [0 127.0.0.1:50000] \"HELLO\" \"3\" \"AUTH\" \"default\" \"{}\"",
        "MIGRATE 10.0.0.2 6379 \"\" 0 5000 AUTH {} KEYS a b",
        "MIGRATE 10.0.0.2 6379 \"\" 0 5000 AUTH2 admin {} KEYS a b",
        "bindpw {}",
        "SQLConnectInfo proftpd@localhost proftpd {}",
        "crypto isakmp key {} address 0.0.0.0",
        "snmp-server community {} RO",
        "tacacs-server host 10.0.0.5 key 0 {}",
    ];
    let mut all = String::new();
    for l in lines {
        let line = format!("{}\n", l.replace("{}", SECRET));
        all.push_str(&line);
        let out = copy("session.log", &line);
        assert!(!out.contains(SECRET), "{out}");
        let kept = l.split("{}").next().unwrap().trim_end_matches('"');
        let kept = kept.trim_end_matches("\\");
        assert!(out.starts_with(kept), "{out}");
    }
    assert!(!copy("all.log", &all).contains(SECRET));
    // Replies, mechanisms and prose stay.
    let plain =
        "AUTH OK\nAUTH LOGIN\nthe default login page asks for a password\nS: +OK\npass it on\nhello again, auth is fine now\n";
    assert_eq!(copy("session.log", plain), plain);
    // Multi-line exchanges: a lower-case `pass` after `user` (a reply between), the
    // line after `AUTH PLAIN`'s challenge, the line after `AUTH LOGIN`'s password
    // challenge (base64 of `Password:`), each with log prefixes or without.
    let b64 = "WHE3THAyVm45UnQ0S3c4Wm0zQmM2SGQ=";
    for (session, secret) in [
        ("+OK ready\nuser bob\n+OK\npass {}\n+OK\n", SECRET),
        ("220 mx\nAUTH PLAIN\n334 \n{}\n235 ok\n", b64),
        (
            "220 mx\nAUTH LOGIN\n334 VXNlcm5hbWU6\nYm9i\n334 UGFzc3dvcmQ6\n{}\n235 ok\n",
            b64,
        ),
    ] {
        for prefix in ["", "2024-01-01 12:00:00,123 DEBUG "] {
            let text: String = session
                .replace("{}", secret)
                .lines()
                .map(|l| format!("{prefix}{l}\n"))
                .collect();
            let out = copy("smtp.log", &text);
            assert!(!out.contains(secret), "{out}");
            assert!(out.contains("Ym9i\n") || !text.contains("Ym9i"), "{out}");
        }
    }
}
