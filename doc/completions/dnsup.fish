# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dnsup_global_optspecs
    string join \n v/verbose h/help V/version
end

function __fish_dnsup_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dnsup_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dnsup_using_subcommand
    set -l cmd (__fish_dnsup_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dnsup -n "__fish_dnsup_needs_command" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_needs_command" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_needs_command" -s V -l version -d 'Print version'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "set" -d 'Make an RRset exactly these values (replaces what is there)'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "add" -d 'Add values to an RRset (keeps what is there)'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "delete" -d 'Delete a name, an RRset, or single records'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "apply" -d 'Apply many changes from a file, split into several UPDATE messages (not atomic)'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "run" -d 'Keep records equal to this host\'s addresses (the daemon); `--once` for one pass'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "detect" -d 'Print what every address source says and what each record would get'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "plan" -d 'Show what a pass would change, without changing anything'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "check-config" -d 'Check the configuration file and explain what it sets'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "status" -d 'Show what the daemon last did for each record (from the state file)'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "keygen" -d 'Print a new TSIG key in tsig-keygen (named.conf) format'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "providers" -d 'List every provider dnsup can drive, with what it can do (`--json`, `--markdown`)'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "notify-test" -d 'Send a test notification through one `[notify.NAME]` of the configuration'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "nsupdate" -d 'Read nsupdate commands from FILE or stdin, with nsupdate\'s options and exit codes'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "knsupdate" -d 'Read knsupdate (Knot) commands from FILE or stdin, with knsupdate\'s options'
complete -c dnsup -n "__fish_dnsup_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l ttl -d 'Time to live of the new records (RFC 2181 section 8: at most 2147483647)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l if-equals -d 'Only if the RRset holds exactly these values (repeat for each value)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s s -l server -d 'Server to send to, HOST[:PORT] or [IPV6]:PORT; repeat for failover. Default: the zone\'s primary (SOA MNAME), found through the resolvers in /etc/resolv.conf' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s p -l port -d 'Port for servers given without one [default: 53, 853 with --tls]' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s z -l zone -d 'The zone to update; names without a final dot are relative to it. Default: found by an SOA query, like nsupdate' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s k -l key-file -d 'TSIG key file: named.conf style (tsig-keygen), K*.key/K*.private, or Knot\'s formats' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l key-name -d 'Which key of a key file that holds several' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s y -l key -d 'TSIG key as [ALG:]NAME:SECRET (default hmac-sha256). Visible to other users in `ps`: prefer --key-file or the DNSUP_KEY environment variable' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l provider -d 'Send through a provider of the configuration file instead (`[providers.NAME]`: rfc2136, cloudflare, powerdns, dyndns2, ...), with the same read-then-replace care' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l config -d 'The configuration file that defines --provider' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l https -d 'Send over DNS over HTTPS (RFC 8484, POST, HTTP/2 where offered) to this URL, e.g. https://ns1.example.net/dns-query; --server, if given, is the address to connect to' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l ca-file -d 'PEM file of the CA(s) that sign the server\'s certificate (default: the system\'s roots)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l tls-name -d 'The name the server\'s certificate must be valid for (default: the --server name, or its address)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l client-cert -d 'PEM certificate to present to the server (mutual TLS); needs --client-key' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l principal -d 'Our Kerberos principal (default: the ticket cache\'s, or the keytab\'s first)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l keytab -d 'Get tickets from this keytab (e.g. a machine account HOST$ or host/NAME@REALM)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l realm -d 'Realm of the server\'s principal (default: our principal\'s realm)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l service -d 'The server\'s principal (default: DNS/<primary of the zone\'s SOA>@<realm>)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l gss-algorithm -d 'TSIG algorithm name: gss-tsig, or gss.microsoft.com for Windows 2000 (nsupdate -o)' -r -f -a "gss-tsig\t''
gss.microsoft.com\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l gss-verify -d 'How to check the server\'s answer signature: strict (RFC 8945), compatible (also Samba\'s variant, reported when used), off' -r -f -a "strict\t''
compatible\t''
off\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l gss-mech -d 'GSS mechanism: spnego (as nsupdate) or krb5' -r -f -a "spnego\t''
krb5\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l timeout -d 'Give up on a server after this many seconds' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l retries -d 'Resend over UDP this many times' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l retry-interval -d 'Seconds between UDP resends' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l local -d 'Source address to send from' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l if-absent -d 'Only if the RRset does not exist (NXRRSET)'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l if-exists -d 'Only if the RRset exists, whatever its values'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l if-name-absent -d 'Only if the name owns no records at all'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l if-name-exists -d 'Only if the name owns at least one record'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l strict-permissions -d 'Refuse key and token files readable by group or others (default: warn and go on)'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l tls -d 'Send over DNS over TLS (RFC 7858), to port 853 unless --port or HOST:PORT says otherwise; SOA discovery and read-back go the same way. Needs --server'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l tls-insecure -d 'Do not verify the server\'s certificate (encrypted, but anyone on the path can pose as the server). Warns on every run'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l gss -d 'Sign with GSS-TSIG using Kerberos credentials (the ticket cache of kinit, or --keytab) instead of a TSIG key. Needs the system library libgssapi_krb5.so.2'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l tcp -d 'Use TCP only'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l json -d 'Print the outcome as one JSON object on stdout'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -l dry-run -d 'Print the message that would be sent, and send nothing'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand set" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l ttl -d 'Time to live of the new records (RFC 2181 section 8: at most 2147483647)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l if-equals -d 'Only if the RRset holds exactly these values (repeat for each value)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s s -l server -d 'Server to send to, HOST[:PORT] or [IPV6]:PORT; repeat for failover. Default: the zone\'s primary (SOA MNAME), found through the resolvers in /etc/resolv.conf' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s p -l port -d 'Port for servers given without one [default: 53, 853 with --tls]' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s z -l zone -d 'The zone to update; names without a final dot are relative to it. Default: found by an SOA query, like nsupdate' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s k -l key-file -d 'TSIG key file: named.conf style (tsig-keygen), K*.key/K*.private, or Knot\'s formats' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l key-name -d 'Which key of a key file that holds several' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s y -l key -d 'TSIG key as [ALG:]NAME:SECRET (default hmac-sha256). Visible to other users in `ps`: prefer --key-file or the DNSUP_KEY environment variable' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l provider -d 'Send through a provider of the configuration file instead (`[providers.NAME]`: rfc2136, cloudflare, powerdns, dyndns2, ...), with the same read-then-replace care' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l config -d 'The configuration file that defines --provider' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l https -d 'Send over DNS over HTTPS (RFC 8484, POST, HTTP/2 where offered) to this URL, e.g. https://ns1.example.net/dns-query; --server, if given, is the address to connect to' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l ca-file -d 'PEM file of the CA(s) that sign the server\'s certificate (default: the system\'s roots)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l tls-name -d 'The name the server\'s certificate must be valid for (default: the --server name, or its address)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l client-cert -d 'PEM certificate to present to the server (mutual TLS); needs --client-key' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l principal -d 'Our Kerberos principal (default: the ticket cache\'s, or the keytab\'s first)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l keytab -d 'Get tickets from this keytab (e.g. a machine account HOST$ or host/NAME@REALM)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l realm -d 'Realm of the server\'s principal (default: our principal\'s realm)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l service -d 'The server\'s principal (default: DNS/<primary of the zone\'s SOA>@<realm>)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l gss-algorithm -d 'TSIG algorithm name: gss-tsig, or gss.microsoft.com for Windows 2000 (nsupdate -o)' -r -f -a "gss-tsig\t''
gss.microsoft.com\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l gss-verify -d 'How to check the server\'s answer signature: strict (RFC 8945), compatible (also Samba\'s variant, reported when used), off' -r -f -a "strict\t''
compatible\t''
off\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l gss-mech -d 'GSS mechanism: spnego (as nsupdate) or krb5' -r -f -a "spnego\t''
krb5\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l timeout -d 'Give up on a server after this many seconds' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l retries -d 'Resend over UDP this many times' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l retry-interval -d 'Seconds between UDP resends' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l local -d 'Source address to send from' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l if-absent -d 'Only if the RRset does not exist (NXRRSET)'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l if-exists -d 'Only if the RRset exists, whatever its values'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l if-name-absent -d 'Only if the name owns no records at all'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l if-name-exists -d 'Only if the name owns at least one record'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l strict-permissions -d 'Refuse key and token files readable by group or others (default: warn and go on)'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l tls -d 'Send over DNS over TLS (RFC 7858), to port 853 unless --port or HOST:PORT says otherwise; SOA discovery and read-back go the same way. Needs --server'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l tls-insecure -d 'Do not verify the server\'s certificate (encrypted, but anyone on the path can pose as the server). Warns on every run'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l gss -d 'Sign with GSS-TSIG using Kerberos credentials (the ticket cache of kinit, or --keytab) instead of a TSIG key. Needs the system library libgssapi_krb5.so.2'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l tcp -d 'Use TCP only'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l json -d 'Print the outcome as one JSON object on stdout'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -l dry-run -d 'Print the message that would be sent, and send nothing'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand add" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l if-equals -d 'Only if the RRset holds exactly these values (repeat for each value)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s s -l server -d 'Server to send to, HOST[:PORT] or [IPV6]:PORT; repeat for failover. Default: the zone\'s primary (SOA MNAME), found through the resolvers in /etc/resolv.conf' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s p -l port -d 'Port for servers given without one [default: 53, 853 with --tls]' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s z -l zone -d 'The zone to update; names without a final dot are relative to it. Default: found by an SOA query, like nsupdate' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s k -l key-file -d 'TSIG key file: named.conf style (tsig-keygen), K*.key/K*.private, or Knot\'s formats' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l key-name -d 'Which key of a key file that holds several' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s y -l key -d 'TSIG key as [ALG:]NAME:SECRET (default hmac-sha256). Visible to other users in `ps`: prefer --key-file or the DNSUP_KEY environment variable' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l provider -d 'Send through a provider of the configuration file instead (`[providers.NAME]`: rfc2136, cloudflare, powerdns, dyndns2, ...), with the same read-then-replace care' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l config -d 'The configuration file that defines --provider' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l https -d 'Send over DNS over HTTPS (RFC 8484, POST, HTTP/2 where offered) to this URL, e.g. https://ns1.example.net/dns-query; --server, if given, is the address to connect to' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l ca-file -d 'PEM file of the CA(s) that sign the server\'s certificate (default: the system\'s roots)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l tls-name -d 'The name the server\'s certificate must be valid for (default: the --server name, or its address)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l client-cert -d 'PEM certificate to present to the server (mutual TLS); needs --client-key' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l principal -d 'Our Kerberos principal (default: the ticket cache\'s, or the keytab\'s first)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l keytab -d 'Get tickets from this keytab (e.g. a machine account HOST$ or host/NAME@REALM)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l realm -d 'Realm of the server\'s principal (default: our principal\'s realm)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l service -d 'The server\'s principal (default: DNS/<primary of the zone\'s SOA>@<realm>)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l gss-algorithm -d 'TSIG algorithm name: gss-tsig, or gss.microsoft.com for Windows 2000 (nsupdate -o)' -r -f -a "gss-tsig\t''
gss.microsoft.com\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l gss-verify -d 'How to check the server\'s answer signature: strict (RFC 8945), compatible (also Samba\'s variant, reported when used), off' -r -f -a "strict\t''
compatible\t''
off\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l gss-mech -d 'GSS mechanism: spnego (as nsupdate) or krb5' -r -f -a "spnego\t''
krb5\t''"
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l timeout -d 'Give up on a server after this many seconds' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l retries -d 'Resend over UDP this many times' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l retry-interval -d 'Seconds between UDP resends' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l local -d 'Source address to send from' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l apex -d 'Allow deleting every record at the zone apex (all but SOA and NS: MX, TXT, A, ...)'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l if-absent -d 'Only if the RRset does not exist (NXRRSET)'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l if-exists -d 'Only if the RRset exists, whatever its values'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l if-name-absent -d 'Only if the name owns no records at all'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l if-name-exists -d 'Only if the name owns at least one record'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l strict-permissions -d 'Refuse key and token files readable by group or others (default: warn and go on)'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l tls -d 'Send over DNS over TLS (RFC 7858), to port 853 unless --port or HOST:PORT says otherwise; SOA discovery and read-back go the same way. Needs --server'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l tls-insecure -d 'Do not verify the server\'s certificate (encrypted, but anyone on the path can pose as the server). Warns on every run'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l gss -d 'Sign with GSS-TSIG using Kerberos credentials (the ticket cache of kinit, or --keytab) instead of a TSIG key. Needs the system library libgssapi_krb5.so.2'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l tcp -d 'Use TCP only'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l json -d 'Print the outcome as one JSON object on stdout'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -l dry-run -d 'Print the message that would be sent, and send nothing'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand delete" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s s -l server -d 'Server to send to, HOST[:PORT] or [IPV6]:PORT; repeat for failover. Default: the zone\'s primary (SOA MNAME), found through the resolvers in /etc/resolv.conf' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s p -l port -d 'Port for servers given without one [default: 53, 853 with --tls]' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s z -l zone -d 'The zone to update; names without a final dot are relative to it. Default: found by an SOA query, like nsupdate' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s k -l key-file -d 'TSIG key file: named.conf style (tsig-keygen), K*.key/K*.private, or Knot\'s formats' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l key-name -d 'Which key of a key file that holds several' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s y -l key -d 'TSIG key as [ALG:]NAME:SECRET (default hmac-sha256). Visible to other users in `ps`: prefer --key-file or the DNSUP_KEY environment variable' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l provider -d 'Send through a provider of the configuration file instead (`[providers.NAME]`: rfc2136, cloudflare, powerdns, dyndns2, ...), with the same read-then-replace care' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l config -d 'The configuration file that defines --provider' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l https -d 'Send over DNS over HTTPS (RFC 8484, POST, HTTP/2 where offered) to this URL, e.g. https://ns1.example.net/dns-query; --server, if given, is the address to connect to' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l ca-file -d 'PEM file of the CA(s) that sign the server\'s certificate (default: the system\'s roots)' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l tls-name -d 'The name the server\'s certificate must be valid for (default: the --server name, or its address)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l client-cert -d 'PEM certificate to present to the server (mutual TLS); needs --client-key' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l client-key -d 'PEM private key of --client-cert' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l ttl -d 'TTL of `add` lines that give none' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l batch-size -d 'At most this many changes per message (default: as many as fit in 60,000 bytes)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l window -d 'How many messages may await their answer at once' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l timeout -d 'Give up on the server after this many seconds without an expected answer' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l local -d 'Source address to send from' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l rejected -d 'Write the lines that were not applied (and those whose fate is unknown) to this file, in the input format, to run again' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l strict-permissions -d 'Refuse key and token files readable by group or others (default: warn and go on)'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l tls -d 'Send over DNS over TLS (RFC 7858), to port 853 unless --port or HOST:PORT says otherwise; SOA discovery and read-back go the same way. Needs --server'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l tls-insecure -d 'Do not verify the server\'s certificate (encrypted, but anyone on the path can pose as the server). Warns on every run'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l if-absent -d 'Create only: add each RRset only if the zone has no RRset of that name and type yet (RFC 2136 prerequisite per message; every line must be an add). A message in which one RRset exists is rejected as a whole (YXRRSET), and its lines are reported'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l json -d 'Print the outcome as one JSON object on stdout'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -l dry-run -d 'Print how the changes would be split, and send nothing'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand apply" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand run" -s c -l config -d 'The configuration file' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand run" -l state-file -d 'Override `state_file`' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand run" -l interval -d 'Override `interval` (e.g. 30s, 5m)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand run" -l once -d 'One pass, then exit: 0 if every record is in sync; else 4 (TSIG), 5 (network), ... when every failure is of that kind, 7 for a mix or no address (see the README)'
complete -c dnsup -n "__fish_dnsup_using_subcommand run" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand run" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand detect" -s c -l config -d 'The configuration file' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand detect" -l state-file -d 'Override `state_file`' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand detect" -l interval -d 'Override `interval` (e.g. 30s, 5m)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand detect" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand detect" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand plan" -s c -l config -d 'The configuration file' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand plan" -l state-file -d 'Override `state_file`' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand plan" -l interval -d 'Override `interval` (e.g. 30s, 5m)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand plan" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand plan" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand check-config" -s c -l config -d 'The configuration file' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand check-config" -l state-file -d 'Override `state_file`' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand check-config" -l interval -d 'Override `interval` (e.g. 30s, 5m)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand check-config" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand check-config" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand status" -s c -l config -d 'The configuration file' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand status" -l state-file -d 'Override `state_file`' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand status" -l interval -d 'Override `interval` (e.g. 30s, 5m)' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand status" -l json -d 'Print one JSON object instead of a table'
complete -c dnsup -n "__fish_dnsup_using_subcommand status" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand status" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand keygen" -s a -l algorithm -d 'Algorithm: hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512' -r
complete -c dnsup -n "__fish_dnsup_using_subcommand keygen" -s o -l output -d 'Write the key to FILE (created with mode 0600; an existing file is refused) instead of standard output' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand keygen" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand keygen" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand providers" -l json -d 'One JSON array: every provider with its capabilities, credentials and documentation'
complete -c dnsup -n "__fish_dnsup_using_subcommand providers" -l markdown -d 'The README\'s provider table (Markdown)'
complete -c dnsup -n "__fish_dnsup_using_subcommand providers" -l alive -d 'Leave out services that no longer exist'
complete -c dnsup -n "__fish_dnsup_using_subcommand providers" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand providers" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand notify-test" -s c -l config -d 'The configuration file' -r -F
complete -c dnsup -n "__fish_dnsup_using_subcommand notify-test" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand notify-test" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand nsupdate" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand nsupdate" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand knsupdate" -s v -l verbose -d 'More log on stderr: -v debug, -vv trace, -vvv trace of the libraries too (the wire). `RUST_LOG` (e.g. `dnsup=debug,hickory_proto=trace`) overrides'
complete -c dnsup -n "__fish_dnsup_using_subcommand knsupdate" -s h -l help -d 'Print help'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "set" -d 'Make an RRset exactly these values (replaces what is there)'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "add" -d 'Add values to an RRset (keeps what is there)'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "delete" -d 'Delete a name, an RRset, or single records'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "apply" -d 'Apply many changes from a file, split into several UPDATE messages (not atomic)'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "run" -d 'Keep records equal to this host\'s addresses (the daemon); `--once` for one pass'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "detect" -d 'Print what every address source says and what each record would get'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "plan" -d 'Show what a pass would change, without changing anything'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "check-config" -d 'Check the configuration file and explain what it sets'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "status" -d 'Show what the daemon last did for each record (from the state file)'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "keygen" -d 'Print a new TSIG key in tsig-keygen (named.conf) format'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "providers" -d 'List every provider dnsup can drive, with what it can do (`--json`, `--markdown`)'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "notify-test" -d 'Send a test notification through one `[notify.NAME]` of the configuration'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "nsupdate" -d 'Read nsupdate commands from FILE or stdin, with nsupdate\'s options and exit codes'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "knsupdate" -d 'Read knsupdate (Knot) commands from FILE or stdin, with knsupdate\'s options'
complete -c dnsup -n "__fish_dnsup_using_subcommand help; and not __fish_seen_subcommand_from set add delete apply run detect plan check-config status keygen providers notify-test nsupdate knsupdate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
