package gen

import (
	"math/rand/v2"
	"strings"
)

// Characters place names are made of (two of them, then 区, 街道, 社区 …).
var placeChars = []rune("临江青山白沙龙泉清河东湖西城南门北岸新华和平兴隆永宁长安太平建设光明红星金山银杏桃源柳溪松岭枫林梅园竹园荷塘凤凰朝阳振兴嘉禾益民广德城关富民丰收安居乐业春晖秋实双桥石桥望江观澜碧水翠屏云台天河宝安福田罗湖")

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鑫斌宇浩凯健俊帆帅旭宁琳雪倩婷佳欣悦思远振新立美玲淑珍建国志梓轩子涵雨辰晨曦文博")

// namer hands out names that are unique within its scope.
type namer struct {
	used map[string]bool
}

func newNamer() *namer { return &namer{used: map[string]bool{}} }

// place returns a new two-character place name followed by suffix.
func (n *namer) place(r *rand.Rand, suffix string) string {
	for try := 0; ; try++ {
		var b strings.Builder
		b.WriteRune(placeChars[r.IntN(len(placeChars))])
		b.WriteRune(placeChars[r.IntN(len(placeChars))])
		if try > 200 { // the two-character names of this scope are used up
			b.WriteRune(placeChars[r.IntN(len(placeChars))])
		}
		b.WriteString(suffix)
		s := b.String()
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

// personName returns a Chinese personal name of two or three characters.
func personName(r *rand.Rand) string {
	var b strings.Builder
	b.WriteRune(surnames[r.IntN(len(surnames))])
	b.WriteRune(givenChars[r.IntN(len(givenChars))])
	if r.IntN(3) > 0 {
		b.WriteRune(givenChars[r.IntN(len(givenChars))])
	}
	return b.String()
}

// Words providers, evaluators and activities are named with.
var (
	providerKinds = []string{"社会工作服务中心", "社工服务社", "社会服务中心", "社区服务中心", "公益服务中心", "社会工作事务所"}
	providerWords = []string{"启航", "朝晖", "和谐", "春晖", "致远", "恒爱", "向日葵", "同心", "阳光", "善德", "仁爱", "博雅", "众和", "乐群", "携手", "彩虹"}
	evaluators    = []string{"社会组织评估研究院", "民政评估事务所", "华南社会服务评估中心", "市社会工作协会", "第三方评估中心", "公益发展研究中心"}
	activityForms = []string{"小组", "讲座", "探访", "服务日", "培训", "沙龙", "个案", "社区活动"}
	places        = []string{"社区活动室", "党群服务中心", "居民家中", "小区会所", "社区广场", "社区学校", "老年活动中心"}
	expansion     = []string{"心理咨询室", "人民调解室", "儿童之家", "长者饭堂", "多功能厅", "健身房", "党员活动室", "志愿者之家", "四点半课堂"}
	remarks       = []string{"撤村建居", "数据待核实", "新建小区", "含督导经费", "", "", "", "", "", ""}
)
