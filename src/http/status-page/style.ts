/** The status page's stylesheet: cards in a grid, three columns at 1280 px, one on a phone. */
export const STYLE = `
:root { --bg: #f4f5f7; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --bad: #b42318 }
* { box-sizing: border-box }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink) }
header { display: flex; flex-wrap: wrap; gap: .3rem 1.4rem; align-items: baseline; padding: .7rem 1.2rem; background: #1d2330; color: #fff }
header h1 { font-size: 1.15rem; margin: 0 }
header .meta { color: #c9d1e0; font-size: .9rem; overflow-wrap: anywhere }
header .meta b { color: #fff; font-weight: 600 }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; font-size: .8rem; background: #32405a }
.badge.online { background: #1f7a4d } .badge.offline { background: #8a5a00 }
#error { margin: 0; padding: .5rem 1.2rem; background: #fee4e2; color: var(--bad) }
#error:empty { display: none }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: .9rem; padding: .9rem 1.2rem; max-width: 1500px; margin: 0 auto }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem .9rem; min-width: 0 }
@media (min-width: 900px) { section.wide { grid-column: span 2 } }
h2 { font-size: .95rem; margin: 0 0 .5rem; display: flex; justify-content: space-between; gap: 1rem }
h2 small { color: var(--muted); font-weight: normal; font-size: .8rem }
.empty { color: var(--muted); font-style: italic; margin: .35rem 0 }
.muted { color: var(--muted) }
.num, td, th { font-variant-numeric: tabular-nums }
.scroll { overflow-x: auto }
table { width: 100%; border-collapse: collapse; font-size: .88rem }
th, td { text-align: left; padding: .2rem .6rem .2rem 0; border-bottom: 1px solid var(--line); white-space: nowrap }
th { color: var(--muted); font-weight: normal }
td.r, th.r { text-align: right }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .82rem }
.chart { width: 100%; height: 150px; display: block }
@media (min-width: 900px) { .chart.tall { height: 230px } }
.chart text { font: 11px system-ui, sans-serif; fill: var(--muted) }
.chart .grid { stroke: var(--line) }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: .2rem 1rem }
.charts h3 { font-size: .8rem; color: var(--muted); margin: .2rem 0 0; font-weight: normal }
.legend { display: flex; flex-wrap: wrap; gap: .2rem 1rem; font-size: .82rem; margin-top: .3rem }
.legend i { display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px }
.gauge { position: relative; height: 22px; background: #eceff3; border-radius: 4px; margin: .4rem 0 .3rem }
.gauge span { position: absolute; top: 0; bottom: 0 }
.gauge .mark { width: 2px; top: -5px; bottom: -5px; background: var(--bad) }
.bar { height: 10px; background: #eceff3; border-radius: 5px; overflow: hidden; margin: .3rem 0 }
.bar span { display: block; height: 100%; background: #2a7ae2 }
.pull { padding: .4rem 0; border-bottom: 1px solid var(--line) }
.pull:last-child { border-bottom: 0 }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .9rem; margin: 0; font-size: .88rem }
.kv dt { color: var(--muted) } .kv dd { margin: 0; overflow-wrap: anywhere }
@media (max-width: 600px) { main { padding: .5rem; gap: .6rem } header { padding: .6rem } }
`
