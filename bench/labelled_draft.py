"""Drafts the labelled (product, CVE) pairs of crates/intel/tests/data/labelled-pairs.csv from the
real advisories of ../shared/data: the bounds of each range form, a version just inside and just
outside, the first fixed version, the same vendor's product from another advisory. Pairs whose
product has several affected entries for the CVE (where one entry cannot label it) are left out.
Every drafted row is then read against its advisory; the hand-written rows at the end of the CSV
(release lines, degenerate ranges, generations) are kept when redrafting.

    python3 bench/labelled_draft.py   # writes /tmp/corpus/{draft,osv,sbom}.csv

The KEV decoys, the ecosystem cases (PyPI, Maven, npm) and the Red Hat rows were written by hand.
"""
import json, glob, re, csv, sys, random, collections, os
D=os.environ.get('MERIDIAN_SHARED_DATA', os.path.join(os.path.dirname(__file__), '../../shared/data')).rstrip('/')+'/'
os.makedirs('/tmp/corpus', exist_ok=True)
rows=[]
def add(source, doc, product, cve, expected, kind, note):
    rows.append(dict(source=source, document=doc, product=product, cve=cve, expected=expected, kind=kind, note=note))

def bump(v):
    """The next version after v at its last numeric part (1.2.3 -> 1.2.4)."""
    m=list(re.finditer(r'\d+', v))
    if not m or not v[-1].isdigit(): return None
    last=m[-1]
    return v[:last.start()]+str(int(last.group())+1).zfill(len(last.group()))+v[last.end():]
def drop(v):
    """A version just below v at its last numeric part, when that part is > 0."""
    m=list(re.finditer(r'\d+', v))
    if not m or not v[-1].isdigit(): return None
    last=m[-1]; n=int(last.group())
    if n==0: return None
    return v[:last.start()]+str(n-1).zfill(len(last.group()))+v[last.end():]

# --- CSAF ICS advisories: product_name + version range leaves
def leaves(d):
    out=[]
    def walk(b,ctx):
        for br in b:
            c=dict(ctx); c[br['category']]=br['name']
            if br.get('product'): out.append((br['product']['product_id'], c, br['product']))
            walk(br.get('branches',[]),c)
    walk(d.get('product_tree',{}).get('branches',[]),{})
    return out
ics=sorted(glob.glob(D+'csaf/cisa-ot/**/*.json',recursive=True))
for fn in ics:
    rel=fn[len(D):]
    d=json.load(open(fn))
    status={}
    for v in d.get('vulnerabilities',[]):
        if 'cve' not in v: continue
        for k,ids in v['product_status'].items():
            for i in ids: status.setdefault(i,[]).append((v['cve'],k))
    for pid,c,prod in leaves(d):
        if 'vendor' not in c or 'product_name' not in c: continue
        if prod.get('product_identification_helper'): continue  # name rows only
        st=[(cve,k) for cve,k in status.get(pid,[]) if k in ('known_affected','first_affected','last_affected')]
        if not st: continue
        cve=sorted(st)[0][0]
        vendor=c['vendor'].strip(); name=c['product_name'].strip()
        r=(c.get('product_version_range') or '').strip(); exact=c.get('product_version')
        def P(v): return f"{vendor}:{name}:{v}"
        m=None
        if exact and not r:
            add('csaf-ics',rel,P(exact),cve,'affected','inside',f'product_version {exact}')
            b=bump(exact)
            if b: add('csaf-ics',rel,P(b),cve,'not-affected','outside',f'only {exact} is listed')
        elif (m:=re.fullmatch(r'<=\s*\(?\s*([A-Za-z]?[\w.()]+?)\)?',r)):
            v=m.group(1)
            add('csaf-ics',rel,P(v),cve,'affected','boundary',f'{r}: the last affected version')
            b=bump(v)
            if b: add('csaf-ics',rel,P(b),cve,'not-affected','outside',f'{r}: just above')
        elif (m:=re.fullmatch(r'(?:All versions\s*)?<\s*(\S+(?: HF\d+)?)',r)):
            v=m.group(1)
            add('csaf-ics',rel,P(v),cve,'not-affected','fixed',f'{r}: the first fixed version')
            l=drop(v)
            if l: add('csaf-ics',rel,P(l),cve,'affected','inside',f'{r}: just below')
        elif (m:=re.fullmatch(r'>=\s*(\S+)\s*\|\s*<=\s*(\S+)',r)):
            lo,hi=m.groups()
            add('csaf-ics',rel,P(hi),cve,'affected','boundary',f'{r}: upper bound')
            add('csaf-ics',rel,P(lo),cve,'affected','boundary',f'{r}: lower bound')
            b=bump(hi); l=drop(lo)
            if b: add('csaf-ics',rel,P(b),cve,'not-affected','outside',f'{r}: just above')
            if l: add('csaf-ics',rel,P(l),cve,'not-affected','outside',f'{r}: just below')
        elif (m:=re.fullmatch(r'>=\s*V?(\S+)',r)):
            v=m.group(1)
            add('csaf-ics',rel,P('V'+v if r.lstrip('>= ').startswith('V') else v),cve,'affected','boundary',f'{r}: lower bound')
        elif '|' in r and all(re.fullmatch(r'[\w.]+',x.strip()) for x in r.split('|')):
            vs=[x.strip() for x in r.split('|')]
            for v in vs: add('csaf-ics',rel,P(v),cve,'affected','inside',f'{r}: listed')
            b=bump(vs[-1])
            if b and b not in vs: add('csaf-ics',rel,P(b),cve,'not-affected','outside',f'{r}: not listed')
        elif r=='vers:all/*':
            add('csaf-ics',rel,P('1.0'),cve,'affected','inside',f'{r}: every version')
        elif (m:=re.fullmatch(r'>FW(\d+)_up_to_and_including_FW(\d+)',r)):
            lo,hi=m.groups()
            add('csaf-ics',rel,P(f'FW{hi}'),cve,'affected','boundary',f'{r}: upper bound included')
            add('csaf-ics',rel,P(f'FW{int(hi)+1}'),cve,'not-affected','outside',f'{r}: just above')
            add('csaf-ics',rel,P(f'FW{lo}'),cve,'not-affected','outside',f'{r}: lower bound excluded')
        # decoy: same vendor, another product name
    if False: pass
json.dump(rows,open('/tmp/corpus/ics.json','w'),indent=0)
print(len(rows), sum(r['expected']=='affected' for r in rows))

# ---- ambiguity: a not-affected row needs the product to have exactly one affected leaf for its CVE
leafcount=collections.Counter()
for fn in ics:
    d=json.load(open(fn)); rel=fn[len(D):]
    st={}
    for v in d.get('vulnerabilities',[]):
        if 'cve' not in v: continue
        for k,ids in v['product_status'].items():
            for i in ids: st.setdefault(i,set()).add((v['cve'],k))
    for pid,c,prod in leaves(d):
        if 'vendor' in c and 'product_name' in c:
            for cve,k in st.get(pid,()):
                leafcount[(rel,c['vendor'].strip(),c['product_name'].strip(),cve)]+=1
def unambiguous(r):
    if r['source']!='csaf-ics' or r['expected']=='affected' or r['kind']=='same-vendor-other-product': return True
    vendor,rest=r['product'].split(':',1); name=rest.rsplit(':',1)[0]
    return leafcount[(r['document'],vendor,name,r['cve'])]==1
rows=[r for r in rows if unambiguous(r)]
# ---- clean up and cap ICS rows
def versionish(v): return re.match(r'^(?:[vVrR]|FW)?\d', v) is not None
ics_rows=[r for r in rows if versionish(r['product'].rsplit(':',1)[1]) and 'vers:' not in r['product']]
random.seed(7)
by=collections.defaultdict(list) if False else {}
for r in ics_rows: by.setdefault(r['document'],[]).append(r)
capped=[]
for doc,rs in by.items():
    if len(rs)>8:
        pos=[r for r in rs if r['expected']=='affected']; neg=[r for r in rs if r['expected']!='affected']
        rs=random.sample(pos,min(4,len(pos)))+random.sample(neg,min(4,len(neg)))
    capped.extend(rs)
# decoys: the same vendor's product from another advisory, not named in this one
names_by_vendor={}
for fn in ics:
    d=json.load(open(fn))
    for pid,c,prod in leaves(d):
        if 'vendor' in c and 'product_name' in c:
            names_by_vendor.setdefault(c['vendor'].strip(),{}).setdefault(fn[len(D):],set()).add(c['product_name'].strip())
seen=set()
for r in list(capped):
    vendor=r['product'].split(':')[0]
    if (r['document']) in seen: continue
    seen.add(r['document'])
    here=names_by_vendor.get(vendor,{}).get(r['document'],set())
    others=sorted({n for doc,ns in names_by_vendor.get(vendor,{}).items() if doc!=r['document'] for n in ns} - here)
    if others:
        n=others[0]; v=r['product'].rsplit(':',1)[1]
        capped.append(dict(source='csaf-ics',document=r['document'],product=f'{vendor}:{n}:{v}',cve=r['cve'],expected='not-affected',kind='same-vendor-other-product',note=f'{n} is not in this advisory'))
rows=capped

# --- CVE 5 records: CNA names with versions, ADP CPEs
for fn in sorted(glob.glob(D+'cve/vulnrichment/**/*.json',recursive=True)):
    rel=fn[len(D):]
    r=json.load(open(fn)); cid=r['cveMetadata']['cveId']
    made=0
    for c in [r['containers']['cna']]+r['containers'].get('adp',[]):
        short=c.get('providerMetadata',{}).get('shortName','')
        for a in c.get('affected',[]):
            if made>=4: break
            vendor=(a.get('vendor') or '').strip(); product=(a.get('product') or '').strip()
            if not vendor or not product or vendor.lower() in ('n/a','unknown') or product.lower() in ('n/a','unknown'): continue
            if a.get('defaultStatus')=='affected': continue
            vs=[v for v in a.get('versions',[]) if v.get('status')=='affected']
            if len(vs)!=1: continue
            v=vs[0]; lo=v.get('version','').strip()
            cpe=None
            if short=='CISA-ADP':
                if not a.get('cpes'): continue
                cpe=re.split(r'(?<!\\):', a['cpes'][0])
            def P(ver):
                if cpe: return ':'.join(cpe[:5]+[ver]+cpe[6:])
                return f'{vendor}:{product}:{ver}'
            src='cve5-adp' if cpe else 'cve5'
            if 'lessThan' in v:
                hi=v['lessThan'].strip()
                if not versionish(hi) or '*' in hi: continue
                add(src,rel,P(hi),cid,'not-affected','fixed',f'{lo} lessThan {hi}: the first fixed version'); made+=1
                l=drop(hi)
                if l and versionish(lo) and lo!='0' and l!=lo:
                    add(src,rel,P(l),cid,'affected','inside',f'{lo} lessThan {hi}: just below'); made+=1
                if versionish(lo) and lo not in ('0',) and lo!=hi and drop(lo):
                    add(src,rel,P(lo),cid,'affected','boundary',f'{lo} lessThan {hi}: the first affected version'); made+=1
            elif 'lessThanOrEqual' in v:
                hi=v['lessThanOrEqual'].strip()
                if not versionish(hi) or '*' in hi: continue
                add(src,rel,P(hi),cid,'affected','boundary',f'{lo} lessThanOrEqual {hi}: the last affected version'); made+=1
                b=bump(hi)
                if b: add(src,rel,P(b),cid,'not-affected','outside',f'{lo} lessThanOrEqual {hi}: just above'); made+=1
            elif re.fullmatch(r'[vV]?\d+(\.\d+)*[a-z]?', lo) and lo!='0' and not v.get('lessThan'):
                add(src,rel,P(lo),cid,'affected','inside',f'version {lo} exactly'); made+=1
                b=bump(lo)
                if b: add(src,rel,P(b),cid,'not-affected','outside',f'only {lo} is listed'); made+=1
def key(x): return re.sub(r'series$','',re.sub(r'[^0-9a-z]','',(x or '').lower()))
entries_of={}
for fn in sorted(glob.glob(D+'cve/vulnrichment/**/*.json',recursive=True)):
    r=json.load(open(fn)); n=collections.Counter()
    for c in [r['containers']['cna']]+r['containers'].get('adp',[]):
        for a in c.get('affected',[]):
            n[key(a.get('product'))]+=sum(1 for v in a.get('versions',[]) if v.get('status')=='affected')
    entries_of[fn[len(D):]]=n
def cve_unambiguous(r):
    if r['source']=='csaf-ics': return True
    p=r['product']
    prod=re.split(r'(?<!\\):',p)[4] if p.startswith('cpe:') else p.split(':')[1]
    return entries_of[r['document']][key(prod)]<=1 or r['expected']=='affected' and r['kind']!='boundary'
rows=[r for r in rows if cve_unambiguous(r)]
ics_final=[r for r in rows if r['source']=='csaf-ics']
cverows=[r for r in rows if r['source']!='csaf-ics']
random.seed(11)
picked=[]
for src,k in (('cve5',45),('cve5-adp',35)):
    docs=sorted({r['document'] for r in cverows if r['source']==src})
    keep=set(random.sample(docs,min(k,len(docs))))
    picked+=[r for r in cverows if r['source']==src and r['document'] in keep]
rows=ics_final+picked
print(collections.Counter((r['source'],r['expected']) for r in rows))
with open('/tmp/corpus/draft.csv','w',newline='') as f:
    w=csv.DictWriter(f,fieldnames=['source','document','product','cve','expected','kind','note'])
    w.writeheader(); w.writerows(rows)

# ---- OSV (go-vulndb): single-range Go records, the fixed version, just below, the first affected, a later minor
D=os.environ.get("MERIDIAN_SHARED_DATA", os.path.join(os.path.dirname(__file__), "../../shared/data")).rstrip("/")+"/"
random.seed(13)
rows=[]
def vid(rec):
    al=rec.get('aliases') or []
    cves=sorted(a for a in al if a.startswith('CVE-'))
    if cves: return cves[0]
    gh=sorted(a for a in al if a.startswith('GHSA-'))
    return gh[0] if gh else rec['id']
def semver_parts(v):
    m=re.fullmatch(r'(\d+)\.(\d+)\.(\d+)',v)
    return tuple(map(int,m.groups())) if m else None
files=sorted(glob.glob(D+'osv/go-vulndb/*.json'))
cands=[]
for fn in files:
    rec=json.load(open(fn))
    if rec.get('withdrawn'): continue
    aff=[a for a in rec.get('affected',[]) if a.get('package',{}).get('ecosystem')=='Go']
    if len(aff)!=1: continue
    a=aff[0]; name=a['package']['name']
    if name in ('stdlib','toolchain'): continue
    rs=a.get('ranges',[])
    if len(rs)!=1 or rs[0]['type']!='SEMVER': continue
    ev=rs[0]['events']
    if len(ev)!=2 or 'introduced' not in ev[0] or 'fixed' not in ev[1]: continue
    lo,fx=ev[0]['introduced'],ev[1]['fixed']
    f=semver_parts(fx)
    if not f or (lo!='0' and not semver_parts(lo)): continue
    cands.append((fn[len(D):],rec,name,lo,fx,f))
for doc,rec,name,lo,fx,f in random.sample(cands,25):
    v=vid(rec); p=lambda ver: f'pkg:golang/{name}@v{ver}'
    rows.append(['osv',doc,p(fx),v,'not-affected','fixed',f'introduced {lo}, fixed {fx}: the fixed version'])
    if f[2]>0: below=f'{f[0]}.{f[1]}.{f[2]-1}'
    elif f[1]>0: below=f'{f[0]}.{f[1]-1}.99'
    else: below=None
    if below and (lo=='0' or semver_parts(below)>=semver_parts(lo)):
        rows.append(['osv',doc,p(below),v,'affected','inside',f'introduced {lo}, fixed {fx}: just below the fix'])
    if lo!='0':
        rows.append(['osv',doc,p(lo),v,'affected','boundary',f'introduced {lo}, fixed {fx}: the first affected version'])
    rows.append(['osv',doc,f'pkg:golang/{name}@v{f[0]}.{f[1]+1}.0',v,'not-affected','outside',f'introduced {lo}, fixed {fx}: a later minor release'])
with open('/tmp/corpus/osv.csv','w',newline='') as fh:
    csv.writer(fh,lineterminator='\n').writerows(rows)
print(len(rows))

# ---- SBOM: elastic/harp's Go components against every go-vulndb record of their module
sb=json.load(open(glob.glob(D+'sbom/in-the-wild/*harp*')[0]))
comps=[c for c in sb.get('components',[]) if c.get('purl','').startswith('pkg:golang/') and '@v' in c['purl']]
def sv(v):
    m=re.fullmatch(r'v?(\d+)\.(\d+)\.(\d+)',v)
    return tuple(map(int,m.groups())) if m else None
recs=collections.defaultdict(list)
for fn in glob.glob(D+'osv/go-vulndb/*.json'):
    r=json.load(open(fn))
    if r.get('withdrawn'): continue
    for a in r.get('affected',[]):
        if a.get('package',{}).get('ecosystem')=='Go': recs[a['package']['name']].append((fn[len(D):],r,a))
def vid(rec):
    al=rec.get('aliases') or []
    c=sorted(x for x in al if x.startswith('CVE-'))
    if c: return c[0]
    g=sorted(x for x in al if x.startswith('GHSA-'))
    return g[0] if g else rec['id']
def affected(a,v):
    """Every SEMVER range of the package: sorted events, introduced/fixed/last_affected; None if not evaluable."""
    if a.get('versions'): return None
    hit=False
    for rg in a.get('ranges',[]):
        if rg['type']!='SEMVER': return None
        evs=[]
        for e in rg['events']:
            (k,x),=e.items()
            if x=='0': p=(0,0,0)
            else:
                p=sv(x)
                if p is None: return None
            evs.append((p,k))
        evs.sort()
        state=False
        for p,k in evs:
            if k=='introduced' and v>=p: state=True
            elif k=='fixed' and v>=p: state=False
            elif k=='last_affected' and v>p: state=False
            elif k=='limit': return None
        hit|=state
    return hit
rows=[]
for c in comps:
    purl=c['purl'].split('?')[0]; name,ver=purl[len('pkg:golang/'):].rsplit('@',1)
    v=sv(ver)
    if v is None: continue
    for doc,r,a in recs.get(name,[]):
        res=affected(a,v)
        if res is None: continue
        rows.append(['sbom',doc,purl,vid(r),'affected' if res else 'not-affected','inside' if res else 'outside',f"elastic/harp SBOM component {name} {ver} against {r['id']}'s ranges"])
random.seed(2)
pos=[r for r in rows if r[4]=='affected']; neg=[r for r in rows if r[4]!='affected']
print(len(pos),len(neg))
sel=random.sample(pos,min(20,len(pos)))+random.sample(neg,min(20,len(neg)))
with open('/tmp/corpus/sbom.csv','w',newline='') as f: csv.writer(f,lineterminator='\n').writerows(sel)
