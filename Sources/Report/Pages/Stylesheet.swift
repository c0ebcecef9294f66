/// The report's only stylesheet, inlined in every page: system fonts, light and dark colours
/// (`prefers-color-scheme`), tables and charts that scroll sideways on a phone.
enum Stylesheet {
    static let css = """
    :root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--muted:#5c6578;--line:#d9dde5;--panel:#f5f7fa;
    --ok:#1f8a4c;--bad:#c62f2f;--warn:#b86e00;--info:#2f6fd0;--purple:#7b4bc4;--req:#7d93b8;--fault-bg:rgba(198,47,47,.12)}
    @media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e4e8ef;--muted:#9aa4b5;--line:#343a46;--panel:#1c2029;
    --ok:#4cc482;--bad:#ff6b6b;--warn:#f0a33a;--info:#6ea2ff;--purple:#b48cff;--req:#6e82a6;--fault-bg:rgba(255,107,107,.16)}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
    main{max-width:1240px;margin:0 auto;padding:16px}
    h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
    a{color:var(--info)}code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.85rem}
    pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px;overflow-x:auto;white-space:pre}
    .muted{color:var(--muted)}.meta{color:var(--muted);margin:.2rem 0 .8rem}
    .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
    th{font-weight:600;background:var(--panel)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}
    .badge{white-space:nowrap;display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;font-weight:600;color:#fff}
    .status-passed{background:var(--ok)}.status-failed{background:var(--bad)}.status-recorded{background:var(--warn)}
    .tag{display:inline-block;margin:1px 3px 1px 0;padding:0 6px;border:1px solid var(--line);border-radius:8px;font-size:.78rem;color:var(--muted)}
    .filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:.8rem 0;padding:8px 10px;background:var(--panel);border-radius:6px}
    select{font:inherit;padding:2px 4px}
    .failure{border-left:4px solid var(--bad);background:var(--panel);padding:8px 12px;margin:.6rem 0}
    .chart{width:100%;min-width:760px;height:auto;display:block}
    .chart text{fill:var(--fg);font-size:12px}.chart .tick,.chart .num{fill:var(--muted);font-size:11px}.chart .lane{font-weight:600}
    .chart .axis{stroke:var(--muted);stroke-width:1}.chart .grid{stroke:var(--line);stroke-width:1}.chart .break{stroke:var(--muted);fill:none}
    .step{fill:var(--info)}.step-wait{fill:var(--muted)}.step-crash,.step-revoke_api_key,.step-delete_audience{fill:var(--bad)}
    .broken{fill:none;stroke:var(--bad);stroke-width:2.5}
    .run{stroke:var(--bg);stroke-width:.5}.run-succeeded{fill:var(--ok)}.run-failed{fill:var(--bad)}.run-paused{fill:var(--warn)}
    .run-interrupted{fill:var(--purple)}.run-cancelled{fill:var(--muted)}
    .series-cohort{stroke:var(--info);fill:var(--info)}.series-exportable{stroke:var(--purple);fill:var(--purple)}
    .series-tagged{stroke:var(--ok);fill:var(--ok)}polyline.series{fill:none;stroke-width:2;stroke-linejoin:round}
    polyline.series-cohort{stroke-width:6;stroke-opacity:.35}polyline.series-exportable{stroke-dasharray:7 4}
    .req{fill:var(--req)}.fault-window{fill:var(--fault-bg)}.mark-429{fill:var(--warn)}.mark-fault{fill:var(--bad)}
    .mark-failure{fill:var(--purple)}.mark-retry{fill:var(--info)}
    .legend{display:flex;flex-wrap:wrap;gap:14px;font-size:.85rem;color:var(--muted);margin:.3rem 0}
    .swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px}
    .diff td{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;white-space:pre-wrap;word-break:break-all;border:0;padding:1px 6px}
    .diff td.ln{color:var(--muted);text-align:right;width:3.5em;user-select:none}
    .diff .deleted td.g,.diff .changed td.g{background:rgba(198,47,47,.16)}.diff .inserted td.a,.diff .changed td.a{background:rgba(31,138,76,.18)}
    .diff .gap td{color:var(--muted);text-align:center;background:var(--panel)}
    @media (max-width:700px){main{padding:10px}body{font-size:14px}.hide-narrow{display:none}h1{font-size:1.25rem}
    #entries{font-size:13px}#entries td a{overflow-wrap:anywhere}#entries td{max-width:46vw}#entries th,#entries td{padding:4px 4px}}
    """
}
